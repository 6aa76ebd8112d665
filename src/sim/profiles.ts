/**
 * Timing profiles for the task lifecycle. Every duration is a range in milliseconds; the
 * simulator draws each task's durations from its seeded RNG when the task is created, so a
 * run is reproducible under a seed.
 */
export interface MsRange {
  min: number;
  max: number;
}

export interface TimingProfile {
  name: string;
  /** Time spent in each start phase: PROVISIONING, then PENDING, then ACTIVATING, then RUNNING. */
  provisioningMs: MsRange;
  pendingMs: MsRange;
  activatingMs: MsRange;
  /** Time spent in each stop phase: DEACTIVATING, STOPPING, DEPROVISIONING, then STOPPED. */
  deactivatingMs: MsRange;
  stoppingMs: MsRange;
  deprovisioningMs: MsRange;
  /** How long a STOPPED task stays describable before it vanishes (ECS: about an hour). */
  stoppedRetentionMs: number;
  /** How long a RunTask clientToken is remembered per cluster. */
  clientTokenTtlMs: number;
}

const HOUR = 3_600_000;

/** Modelled on Fargate: about 3-5 s from RunTask to RUNNING, a few seconds to stop. */
export const FARGATE_PROFILE: TimingProfile = {
  name: 'fargate',
  provisioningMs: { min: 500, max: 1000 },
  pendingMs: { min: 1500, max: 2500 },
  activatingMs: { min: 500, max: 1200 },
  deactivatingMs: { min: 200, max: 500 },
  stoppingMs: { min: 1000, max: 3000 },
  deprovisioningMs: { min: 1000, max: 2000 },
  stoppedRetentionMs: HOUR,
  clientTokenTtlMs: 24 * HOUR,
};

/** Tens of milliseconds per transition, for tests and demos. */
export const FAST_PROFILE: TimingProfile = {
  name: 'fast',
  provisioningMs: { min: 10, max: 20 },
  pendingMs: { min: 10, max: 20 },
  activatingMs: { min: 10, max: 20 },
  deactivatingMs: { min: 10, max: 20 },
  stoppingMs: { min: 10, max: 20 },
  deprovisioningMs: { min: 10, max: 20 },
  stoppedRetentionMs: HOUR,
  clientTokenTtlMs: 24 * HOUR,
};

export const PROFILES: Readonly<Record<string, TimingProfile>> = { fargate: FARGATE_PROFILE, fast: FAST_PROFILE };

/** Looks a profile up by name; throws a clear error naming the known ones. */
export function profileByName(name: string): TimingProfile {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown simulator profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
