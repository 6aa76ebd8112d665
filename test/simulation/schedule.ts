/**
 * The seeded fault schedule: one seed decides the gateway's churn, the ECS/EFS faults, the
 * controller crashes, paused leaders and desired-state loss, and when each happens. Swarm style:
 * each seed first picks which fault kinds it uses at all, so some runs are calm and some run
 * everything at once, and rare combinations still come up.
 *
 * Times are ms from the start of the run.
 */
import type { Lifetime } from '../../src/desired/schema.js';
import { addLifetimes } from './lifetimes.js';
import type { FaultConfigInput } from '../../src/sim/faults.js';
import { randomInt, type Rng } from '../../src/common/rng.js';
import type { ConsistencyLags } from '../../src/sim/eventual-consistency.js';

export type Persistence = 'none' | 'preferred' | 'required';

export type SchedEvent =
  /** `env`: the gateway's variables from the start (such a session never takes a warm task). */
  | { at: number; kind: 'create'; id: string; userId: string; template: string; persistence: Persistence; env?: Record<string, string>; lifetime?: Lifetime }
  /** The user walks away: the gateway stops touching the session (lifetimes.ts). */
  | { at: number; kind: 'abandon'; id: string }
  /** The user comes back: ensureSession again (a new life when it expired), touches resume. */
  | { at: number; kind: 'resume'; id: string }
  | { at: number; kind: 'delete'; id: string }
  /** Delete, then ensure again `gapMs` later (a fast reconnect). */
  | { at: number; kind: 'recreate'; id: string; gapMs: number }
  | { at: number; kind: 'changeEnv'; id: string; value: string }
  /** The gateway sets the warm pool's target. */
  | { at: number; kind: 'poolTarget'; target: number }
  /** ECS/EFS fault settings in force for `durationMs` (rates, hangs, latency, capacity, lost answers). */
  | { at: number; kind: 'faults'; durationMs: number; faults: FaultConfigInput; lostResponseRate: number; label: string }
  | { at: number; kind: 'outage'; service: 'ecs' | 'efs'; durationMs: number; mode: 'error' | 'hang' }
  /** Another tool in the account drains the ECS buckets. */
  | { at: number; kind: 'throttleBurst'; tokens: number }
  /** `pick` in [0,1) chooses among the live tasks at that moment. */
  | { at: number; kind: 'killTask'; how: 'crash' | 'spot'; pick: number }
  /** A task we do not own, with our startedBy; `session` set: it also carries that session tag. */
  | { at: number; kind: 'foreignTask'; session: string | undefined; owner: string | undefined; incarnation: number }
  /** The controller process dies (memory lost); a new one starts `downMs` later. */
  | { at: number; kind: 'controllerCrash'; downMs: number }
  /** The leader freezes; a new leader takes over after the lease; the old one wakes after `pauseMs`. */
  | { at: number; kind: 'pausedLeader'; pauseMs: number }
  /** Every desired record is lost; the gateway writes its sessions again `reapplyAfterMs` later. */
  | { at: number; kind: 'wipeDesired'; reapplyAfterMs: number }
  /**
   * A failover to a replica `lagMs` behind: the store loses its last `lagMs` of acknowledged
   * writes (specs, statuses, claims, the lease's epoch); the gateway writes its sessions again
   * `reapplyAfterMs` later.
   */
  | { at: number; kind: 'rollbackDesired'; lagMs: number; reapplyAfterMs: number }
  /** For `durationMs`, a share `rate` of the controllers' Redis writes run but their replies are lost (a timeout). */
  | { at: number; kind: 'lostRedisReplies'; durationMs: number; rate: number }
  /** For `durationMs`, ECS answers are eventually consistent within the given lags (src/sim/eventual-consistency.ts). */
  | { at: number; kind: 'ecsConsistency'; durationMs: number; lags: ConsistencyLags };

export interface Schedule {
  events: SchedEvent[];
  /** When the faults end and the quiet period starts. */
  faultPhaseMs: number;
  /** Fault kinds this seed uses (swarm), for the report. */
  kinds: string[];
}

export interface ScheduleOptions {
  /** Upper bound of sessions created in the run. */
  maxSessions: number;
  /** Leader changes need the paused-leader machinery; false disables them. */
  leaderChanges: boolean;
  /** Bias towards the faults that catch a given mutation (mutation tests). */
  emphasis?: 'lostResponses' | 'foreign' | 'pausedLeader' | 'wipe' | (typeof DATA_FAULT_KINDS)[number] | Bias;
}

const FAULT_KINDS = ['errors', 'hangs', 'latency', 'capacity', 'lostResponses', 'throttle', 'killTasks', 'outageEcs', 'outageEfs', 'foreign', 'crash', 'pausedLeader', 'wipe'] as const;

function pickFloat(rng: Rng, lo: number, hi: number): number {
  return lo + rng.next() * (hi - lo);
}

/**
 * Fault kinds added after the first corpus: drawn from their own generator (`dataRng`), so the
 * schedule a seed drew before they existed stays as it was, with these faults added on top.
 */
const DATA_FAULT_KINDS = ['rollback', 'lostRedisReplies', 'ecsConsistency'] as const;
/** Schedule biases for mutation tests that are not fault kinds. */
type Bias = 'warmEnv' | 'lifetimes';

export function generateSchedule(rng: Rng, o: ScheduleOptions, dataRng?: Rng, lifetimeRng?: Rng): Schedule {
  const faultPhaseMs = 120_000 + randomInt(rng, 120_001);
  const kinds = FAULT_KINDS.filter((k) => (k === 'pausedLeader' && !o.leaderChanges ? false : rng.next() < 0.45));
  const emphasis: string | undefined = o.emphasis;
  if (emphasis && (FAULT_KINDS as readonly string[]).includes(emphasis) && !kinds.includes(emphasis as (typeof FAULT_KINDS)[number])) kinds.push(emphasis as (typeof FAULT_KINDS)[number]);
  const has = (k: string): boolean => kinds.includes(k as (typeof FAULT_KINDS)[number]);
  const events: SchedEvent[] = [];
  const at = (lo: number, hi: number): number => Math.round(pickFloat(rng, lo, hi));

  // Gateway churn: an initial burst, then creates, deletes, recreates and spec changes.
  const nSessions = 4 + randomInt(rng, Math.max(1, o.maxSessions - 3));
  const ids: string[] = [];
  for (let i = 0; i < nSessions; i++) {
    const id = `s-${i}`;
    ids.push(id);
    const persistence: Persistence = (['none', 'preferred', 'required'] as const)[randomInt(rng, 3)]!;
    const template = rng.next() < 0.3 ? 'spot' : 'shell';
    const when = i < nSessions / 2 ? at(0, 5_000) : at(5_000, faultPhaseMs * 0.8);
    events.push({ at: when, kind: 'create', id, userId: `u-${i % 7}`, template, persistence });
  }
  const churn = randomInt(rng, nSessions + 1);
  for (let i = 0; i < churn; i++) {
    const id = ids[randomInt(rng, ids.length)]!;
    const when = at(10_000, faultPhaseMs);
    const r = rng.next();
    if (r < 0.3) events.push({ at: when, kind: 'delete', id });
    else if (r < 0.55) events.push({ at: when, kind: 'recreate', id, gapMs: randomInt(rng, 3_000) });
    else events.push({ at: when, kind: 'changeEnv', id, value: `v${randomInt(rng, 1000)}` });
  }

  // Warm pool: a target at the start (sometimes), changed a few times.
  if (rng.next() < 0.5) {
    events.push({ at: at(0, 3_000), kind: 'poolTarget', target: randomInt(rng, 8) });
    for (let i = 0, n = randomInt(rng, 4); i < n; i++) events.push({ at: at(10_000, faultPhaseMs), kind: 'poolTarget', target: randomInt(rng, 12) });
  }

  // Fault windows.
  const windows = 1 + randomInt(rng, 4);
  for (let i = 0; i < windows; i++) {
    const start = at(5_000, faultPhaseMs - 20_000);
    const durationMs = Math.min(faultPhaseMs - start, 10_000 + randomInt(rng, 60_000));
    const faults: FaultConfigInput = {};
    const labels: string[] = [];
    if (has('errors')) {
      faults.errorRate = { '*': pickFloat(rng, 0.02, 0.3) };
      labels.push('5xx');
    }
    if (has('hangs')) {
      faults.hangRate = { '*': pickFloat(rng, 0.01, 0.1) };
      labels.push('hangs');
    }
    if (has('latency')) {
      faults.latencyMs = { '*': { min: 0, max: 200 + randomInt(rng, 4_000) } };
      labels.push('latency');
    }
    if (has('capacity')) {
      faults.capacityFailureRate = pickFloat(rng, 0.05, 0.5);
      faults.failToStartRate = pickFloat(rng, 0, 0.2);
      labels.push('capacity');
    }
    const lostResponseRate = has('lostResponses') ? pickFloat(rng, 0.1, 0.5) : 0;
    if (lostResponseRate > 0) labels.push('lost-answers');
    if (labels.length > 0) events.push({ at: start, kind: 'faults', durationMs, faults, lostResponseRate, label: labels.join('+') });
  }
  if (has('throttle')) for (let i = 0, n = 1 + randomInt(rng, 3); i < n; i++) events.push({ at: at(5_000, faultPhaseMs), kind: 'throttleBurst', tokens: 50 + randomInt(rng, 200) });
  if (has('killTasks')) {
    for (let i = 0, n = 1 + randomInt(rng, 6); i < n; i++) events.push({ at: at(10_000, faultPhaseMs), kind: 'killTask', how: rng.next() < 0.5 ? 'crash' : 'spot', pick: rng.next() });
  }
  for (const service of ['ecs', 'efs'] as const) {
    if (!has(service === 'ecs' ? 'outageEcs' : 'outageEfs')) continue;
    const start = at(10_000, faultPhaseMs - 30_000);
    events.push({ at: start, kind: 'outage', service, durationMs: 5_000 + randomInt(rng, 60_000), mode: rng.next() < 0.3 ? 'hang' : 'error' });
  }
  if (has('foreign')) {
    for (let i = 0, n = 1 + randomInt(rng, 4); i < n; i++) {
      const session = rng.next() < 0.7 ? ids[randomInt(rng, ids.length)] : `gone-${i}`;
      events.push({ at: at(0, faultPhaseMs), kind: 'foreignTask', session, owner: rng.next() < 0.5 ? undefined : 'someone-else', incarnation: randomInt(rng, 3) });
    }
  }
  if (has('crash')) for (let i = 0, n = 1 + randomInt(rng, 3); i < n; i++) events.push({ at: at(3_000, faultPhaseMs), kind: 'controllerCrash', downMs: randomInt(rng, 20_000) });
  if (has('pausedLeader')) for (let i = 0, n = 1 + randomInt(rng, 2); i < n; i++) events.push({ at: at(3_000, faultPhaseMs - 40_000), kind: 'pausedLeader', pauseMs: 20_000 + randomInt(rng, 20_000) });
  if (has('wipe')) events.push({ at: at(20_000, faultPhaseMs - 10_000), kind: 'wipeDesired', reapplyAfterMs: randomInt(rng, 40_000) });

  if (dataRng) addDataFaults(dataRng, faultPhaseMs, events, kinds, o.emphasis);
  if (lifetimeRng && addLifetimes(lifetimeRng, faultPhaseMs, events, o.emphasis === 'lifetimes') > 0) (kinds as string[]).push('lifetimes');
  events.sort((a, b) => a.at - b.at);
  return { events, faultPhaseMs, kinds };
}

function addDataFaults(rng: Rng, faultPhaseMs: number, events: SchedEvent[], kinds: string[], emphasis: string | undefined): void {
  const at = (lo: number, hi: number): number => Math.round(pickFloat(rng, lo, hi));
  // A quarter of the sessions come with the gateway's env from the start. Emphasis `warmEnv`
  // (mutation tests of warm claims): more of them, each one a warm pool could serve but for its env.
  const warmEnv = emphasis === 'warmEnv';
  for (const e of events) {
    if (e.kind !== 'create' || rng.next() >= (warmEnv ? 0.6 : 0.25)) continue;
    e.env = { LOCALE: `l${randomInt(rng, 5)}` };
    if (warmEnv) Object.assign(e, { template: 'shell', persistence: 'none' });
  }
  if (warmEnv) events.push({ at: 0, kind: 'poolTarget', target: 3 + randomInt(rng, 5) });
  const used = DATA_FAULT_KINDS.filter((k) => rng.next() < 0.45 || k === emphasis);
  kinds.push(...used);
  if (used.includes('rollback')) {
    for (let i = 0, n = 1 + randomInt(rng, 3); i < n; i++) events.push({ at: at(10_000, faultPhaseMs - 10_000), kind: 'rollbackDesired', lagMs: randomInt(rng, 3_001), reapplyAfterMs: randomInt(rng, 20_000) });
  }
  if (used.includes('lostRedisReplies')) {
    for (let i = 0, n = 1 + randomInt(rng, 3); i < n; i++) {
      const start = at(5_000, faultPhaseMs - 20_000);
      events.push({ at: start, kind: 'lostRedisReplies', durationMs: Math.min(faultPhaseMs - start, 10_000 + randomInt(rng, 50_000)), rate: pickFloat(rng, 0.05, 0.5) });
    }
  }
  if (used.includes('ecsConsistency')) {
    for (let i = 0, n = 1 + randomInt(rng, 2); i < n; i++) {
      const start = at(0, faultPhaseMs - 20_000);
      const lags: ConsistencyLags = { listMs: randomInt(rng, 5_001), describeMissingMs: randomInt(rng, 3_001), tagsMs: randomInt(rng, 5_001), stopMs: randomInt(rng, 5_001) };
      events.push({ at: start, kind: 'ecsConsistency', durationMs: Math.min(faultPhaseMs - start, 20_000 + randomInt(rng, 80_000)), lags });
    }
  }
}

/** One line per event, for the trace. */
export function describeEvent(e: SchedEvent): string {
  const { at: _at, kind, ...rest } = e;
  return `${kind} ${JSON.stringify(rest)}`;
}
