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

/** Phase durations in ms, each exact (not a range); phases left out take 0 ms. */
export type ExactPhases = Partial<Record<'provisioningMs' | 'pendingMs' | 'activatingMs' | 'deactivatingMs' | 'stoppingMs' | 'deprovisioningMs', number>> &
  Partial<Pick<TimingProfile, 'stoppedRetentionMs' | 'clientTokenTtlMs'>>;

/**
 * A profile whose every phase takes exactly the given time (default 0), so a test on a virtual
 * clock can name the instant a task turns RUNNING or STOPPED. Retention and token TTL default to
 * ECS's (an hour, 24 h).
 */
export function exactProfile(phases: ExactPhases, name = 'exact'): TimingProfile {
  const at = (ms: number | undefined): MsRange => ({ min: ms ?? 0, max: ms ?? 0 });
  return {
    name,
    provisioningMs: at(phases.provisioningMs),
    pendingMs: at(phases.pendingMs),
    activatingMs: at(phases.activatingMs),
    deactivatingMs: at(phases.deactivatingMs),
    stoppingMs: at(phases.stoppingMs),
    deprovisioningMs: at(phases.deprovisioningMs),
    stoppedRetentionMs: phases.stoppedRetentionMs ?? HOUR,
    clientTokenTtlMs: phases.clientTokenTtlMs ?? 24 * HOUR,
  };
}

/**
 * No time at all: a launched task is RUNNING in the RunTask answer and a stopped task is STOPPED
 * in the StopTask answer (both at the injected clock's current instant). For unit tests, which
 * run the simulator in-process; retention and token TTL stay as in ECS, so they still expire on
 * a virtual clock.
 */
export const INSTANT_PROFILE: TimingProfile = exactProfile({}, 'instant');

export const PROFILES: Readonly<Record<string, TimingProfile>> = { fargate: FARGATE_PROFILE, fast: FAST_PROFILE, instant: INSTANT_PROFILE };

/** Looks a profile up by name; throws a clear error naming the known ones. */
export function profileByName(name: string): TimingProfile {
  const p = PROFILES[name];
  if (!p) throw new Error(`unknown simulator profile '${name}' (known: ${Object.keys(PROFILES).join(', ')})`);
  return p;
}
