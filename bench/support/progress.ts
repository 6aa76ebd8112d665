/**
 * Progress read from the outside (the store's statuses and the simulator's tasks, never the
 * controller's memory), and a timeline of it sampled on virtual time for the charts.
 */
import type { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { SimCore } from '../../src/sim/core.js';

export interface Progress {
  /** Sessions whose status is Running with an endpoint. */
  running: number;
  /** Warm tasks RUNNING, idle (no session tag, no claim). */
  warmIdle: number;
  /** AWS calls received by the simulator so far (all outcomes). */
  calls: number;
  throttled: number;
}

/** One sample of a timeline: `t` in virtual seconds since the scenario began. */
export interface Sample extends Progress {
  t: number;
}

/**
 * Reads progress now. `onRunning`, when given, is called with the id of every session found
 * Running with an endpoint (the caller keeps the first time it saw each: per-session waits).
 */
export async function readProgress(store: MemoryDesiredStore, core: SimCore, pool: string | undefined, onRunning?: (sessionId: string) => void): Promise<Progress> {
  const snap = await store.snapshot();
  let running = 0;
  for (const [id, e] of snap.sessions) {
    if (e.status?.phase !== 'Running' || !e.status.endpoint || e.spec?.deleted) continue;
    running++;
    onRunning?.(id);
  }
  let warmIdle = 0;
  if (pool !== undefined) {
    const claims = await store.warmClaims();
    for (const t of core.dump().tasks) {
      if (t.tags['esr:role'] === 'warm' && t.tags['esr:pool'] === pool && !t.tags['esr:session'] && !claims.has(t.taskArn) && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING') warmIdle++;
    }
  }
  const stats = core.getStats().total;
  return { running, warmIdle, calls: stats.calls, throttled: stats.throttled };
}

/** Counts only what it is told (the naive baseline reports its own progress the same way). */
export type ProgressSource = () => Promise<Progress>;

/**
 * Advances `clock` in steps of `stepMs` until `done(progress)` or `maxMs`; records a sample per
 * step. Returns the virtual ms from `startMs` to the first step where `done` held (undefined: never).
 */
export async function runSampled(
  clock: { now(): number; runUntil(ms: number): Promise<void> },
  source: ProgressSource,
  done: (p: Progress) => boolean,
  opts: { startMs: number; stepMs: number; maxMs: number; samples?: Sample[] },
): Promise<number | undefined> {
  for (let at = opts.startMs + opts.stepMs; at <= opts.startMs + opts.maxMs; at += opts.stepMs) {
    await clock.runUntil(at);
    const p = await source();
    opts.samples?.push({ t: (at - opts.startMs) / 1000, ...p });
    if (done(p)) return at - opts.startMs;
  }
  return undefined;
}
