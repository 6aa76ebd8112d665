/**
 * The soak: days of virtual churn against the real controller in the deterministic simulation
 * (World, production wiring), then the size of every in-memory map and every desired-store key
 * family against its stated bound (soak-bounds.ts). No faults; each virtual minute some sessions
 * are deleted and as many created (mostly new ids, some deleted ids again: a new life), some
 * change env; the warm-pool target changes now and then; the leader process restarts now and
 * then. The invariants keep being checked (a window of 1 s samples every `sampleEveryMs`, plus
 * every StopTask and accepted write); at the end the churn stops and the system must converge.
 *
 * Sizes are read at every sample window (the largest seen is what is checked) and at the end.
 */
import { randomInt, SeededRng } from '../../src/common/rng.js';
import type { Persistence } from './schedule.js';
import { convergenceProblems } from './convergence.js';
import { Checker, type Violation } from './invariants.js';
import { SIM_POOL, SIM_TIMINGS } from './config.js';
import { soakBounds, type Bound, type Churn } from './soak-bounds.js';
import { QUIET_BOUND_MS } from './run.js';
import { subSeed, T0, World } from './world.js';

const MINUTE = 60_000;

export interface SoakOptions {
  days: number;
  /** Live sessions kept. */
  sessions: number;
  seed: number;
  /** Full resync interval, ms (default the simulation's 10 s). */
  resyncMs?: number;
  /** Share of live sessions deleted (and replaced) every minute (default 0.01). */
  churnPerMinute?: number;
  /** A window of 1 s invariant samples (and a size reading) every this, ms (default 10 min). */
  sampleEveryMs?: number;
  /** Leader restarts every this, ms (default 12 h; 0 = none). */
  restartEveryMs?: number;
  /** Progress lines (one per virtual hour). */
  onProgress?: (line: string) => void;
  /** ECS task state change events through SQS, read by the controller (World `events`). */
  events?: boolean;
  /** More sizes to read with the others (a test adds a deliberately unbounded one). */
  extraSizes?: (world: World) => Record<string, number>;
  /** Bounds of (some of) the extra sizes; an extra size without one fails like any other. */
  extraBounds?: Record<string, Bound>;
}

export interface SizeRow {
  name: string;
  /** Largest reading over the run. */
  max: number;
  /** Reading at the end of the churn. */
  end: number;
  /** Stated bound; undefined when none is stated (a failure). */
  bound: number | undefined;
  rule: string;
}

export interface SoakResult {
  violation: Violation | undefined;
  virtualMs: number;
  wallMs: number;
  rows: SizeRow[];
  /** Rows over their bound or without one. */
  failures: SizeRow[];
  churn: Churn;
  stats: { created: number; recreated: number; deleted: number; envChanges: number; poolChanges: number; restarts: number; mutatingCalls: number; convergedAfterMs: number | undefined };
}

const WINDOW_SAMPLES = 10;
const RECREATE_POOL = 200;
const POOL_EVERY_MIN = 30;
const POOL_MAX = 10;

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const wallStart = performance.now();
  const resyncMs = o.resyncMs ?? SIM_TIMINGS.resyncMs;
  const sampleEveryMs = o.sampleEveryMs ?? 10 * MINUTE;
  const restartEveryMs = o.restartEveryMs ?? 12 * 60 * MINUTE;
  const totalMs = Math.round(o.days * 24 * 60 * MINUTE);
  const deletesPerMinute = Math.max(1, Math.round((o.churnPerMinute ?? 0.01) * o.sessions));
  const envChangesPerMinute = Math.max(1, Math.round(deletesPerMinute / 5));
  const users = o.sessions;
  const restarts = restartEveryMs > 0 ? Math.floor(totalMs / restartEveryMs) : 0;
  const churn: Churn = { sessions: o.sessions, deletesPerMinute, envChangesPerMinute, users, poolMax: POOL_MAX, poolEveryMinutes: POOL_EVERY_MIN, recreatePool: RECREATE_POOL, resyncMs, processes: restarts + 1 };

  let world: World | undefined;
  const checker = new Checker(() => (world ? world.clock.now() - T0 : 0), (id) => world?.gateway.contentKey(id));
  const w = (world = new World(o.seed, { onStop: (x) => checker.onStop(x), onWrite: (x) => checker.onWrite(x) }, undefined, undefined, o.events ?? false, { resyncMs, storeCheckpoints: false }));
  const rng = new SeededRng(subSeed(o.seed, 900));
  const live: string[] = [];
  const recent: string[] = [];
  let nextId = 0;
  let envSeq = 0;
  const stats = { created: 0, recreated: 0, deleted: 0, envChanges: 0, poolChanges: 0, restarts: 0, mutatingCalls: 0, convergedAfterMs: undefined as number | undefined };
  const maxima = new Map<string, number>();
  let endSizes: Record<string, number> = {};

  const create = async (): Promise<void> => {
    const old = recent.length > 0 && rng.next() < 0.2 ? recent.splice(randomInt(rng, recent.length), 1)[0] : undefined;
    if (old !== undefined && w.gateway.intended.get(old)?.deleted) {
      await w.gateway.revive(old);
      live.push(old);
      stats.recreated++;
      return;
    }
    const id = `s${(nextId++).toString(36)}`;
    const persistence: Persistence = (['none', 'preferred', 'required'] as const)[randomInt(rng, 3)]!;
    const template = rng.next() < 0.3 ? 'spot' : 'shell';
    const env: Record<string, string> = rng.next() < 0.25 ? { VERSION: `v${++envSeq}` } : {};
    await w.gateway.create(id, `u-${randomInt(rng, users)}`, template, persistence, env);
    live.push(id);
    stats.created++;
  };
  const remove = async (): Promise<void> => {
    const id = live.splice(randomInt(rng, live.length), 1)[0];
    if (id === undefined) return;
    await w.gateway.delete(id);
    recent.push(id);
    if (recent.length > RECREATE_POOL) recent.shift();
    stats.deleted++;
  };
  const changeEnv = async (): Promise<void> => {
    const id = live[randomInt(rng, live.length)];
    if (id !== undefined) await w.gateway.changeEnv(id, `v${++envSeq}`);
    stats.envChanges++;
  };
  /** Forgets deleted ids the store has purged and re-creation no longer picks. */
  const sweepGateway = async (): Promise<void> => {
    const keep = new Set(recent);
    for (const id of w.gateway.deletedIds()) if (!keep.has(id) && !(await w.store.inner.readSession(id))) w.gateway.forget(id);
  };

  const readSizes = (): Record<string, number> => {
    const out: Record<string, number> = {};
    const put = (prefix: string, s: Record<string, number>): void => {
      for (const [k, v] of Object.entries(s)) out[`${prefix}${k}`] = v;
    };
    put('store.', w.store.inner.sizes());
    if (w.leader?.alive && w.leader.controller.synced) put('', w.leader.sizes());
    put('', w.core.sizes());
    out['harness.gateway.intended'] = w.gateway.intended.size;
    out['harness.slots'] = w.slots.length;
    out['harness.clock.timers'] = w.clock.pendingTimers();
    if (o.extraSizes) Object.assign(out, o.extraSizes(w));
    for (const [k, v] of Object.entries(out)) maxima.set(k, Math.max(maxima.get(k) ?? 0, v));
    return out;
  };

  const sampleWindow = async (): Promise<void> => {
    for (let i = 0; i < WINDOW_SAMPLES && !checker.violation; i++) {
      await w.clock.runUntil(w.clock.now() + 1_000);
      const snap = await w.store.inner.snapshot();
      const dump = w.core.dump();
      checker.sample(dump.tasks, 1_000, !w.impaired(), (id) => snap.sessions.has(id));
      checker.content(snap, dump);
    }
    readSizes();
  };

  // Start: the sessions and a pool target, then let it settle.
  w.startLeader();
  await w.gateway.setPool(SIM_POOL, 'shell', 5);
  for (let i = 0; i < o.sessions; i++) await create();
  await w.clock.runUntil(w.clock.now() + 2 * MINUTE);

  const churnStart = w.clock.now();
  let nextSample = churnStart + sampleEveryMs;
  let nextRestart = restartEveryMs > 0 ? churnStart + restartEveryMs : Infinity;
  for (let minute = 1; churnStart + minute * MINUTE <= churnStart + totalMs && !checker.violation; minute++) {
    const base = churnStart + (minute - 1) * MINUTE;
    // This minute's operations at random moments within it, in time order.
    const ops: Array<{ at: number; run: () => Promise<void> }> = [];
    for (let i = 0; i < deletesPerMinute; i++) {
      ops.push({ at: base + randomInt(rng, MINUTE), run: remove });
      ops.push({ at: base + randomInt(rng, MINUTE), run: create });
    }
    for (let i = 0; i < envChangesPerMinute; i++) ops.push({ at: base + randomInt(rng, MINUTE), run: changeEnv });
    if (minute % POOL_EVERY_MIN === 0) {
      ops.push({
        at: base + randomInt(rng, MINUTE),
        run: async () => {
          await w.gateway.setPool(SIM_POOL, 'shell', randomInt(rng, POOL_MAX + 1));
          stats.poolChanges++;
        },
      });
    }
    ops.sort((a, b) => a.at - b.at);
    for (const op of ops) {
      await w.clock.runUntil(op.at);
      await op.run();
    }
    await w.clock.runUntil(base + MINUTE);
    if (w.clock.now() >= nextRestart && w.leader) {
      nextRestart += restartEveryMs;
      stats.restarts++;
      w.crash(w.leader, SIM_TIMINGS.restartAfterMs);
    }
    if (w.clock.now() >= nextSample) {
      nextSample += sampleEveryMs;
      await sampleWindow();
    }
    if (minute % 60 === 0) {
      await sweepGateway();
      const s = readSizes();
      o.onProgress?.(`${((w.clock.now() - churnStart) / 3_600_000).toFixed(0)} h virtual, ${((performance.now() - wallStart) / 1000).toFixed(0)} s wall: ${s['store.specs']} specs (${s['store.tombstones']} tombstones), ${s['ecs.tasks']} ECS tasks, ${s['cache.tasks'] ?? '-'} cached tasks, ${s['ecs.runTaskTokens']} RunTask tokens, ${s['harness.clock.timers']} timers`);
    }
  }
  if (!checker.violation) {
    await sweepGateway();
    endSizes = readSizes();
  }

  // The churn stops: the system converges, as after a seed's fault phase.
  if (!checker.violation) {
    const quietStart = w.clock.now();
    const bound = QUIET_BOUND_MS + 2 * resyncMs;
    for (let q = 1_000; q <= bound && !checker.violation; q += 1_000) {
      await w.clock.runUntil(quietStart + q);
      if (q % 5_000 !== 0) continue;
      const snap = await w.store.inner.snapshot();
      const dump = w.core.dump();
      checker.sample(dump.tasks, 5_000, !w.impaired(), (id) => snap.sessions.has(id));
      checker.content(snap, dump);
      if ((await convergenceProblems(w)).length === 0) {
        stats.convergedAfterMs = q;
        break;
      }
    }
    if (stats.convergedAfterMs === undefined && !checker.violation) {
      const problems = await convergenceProblems(w);
      checker.fail(problems[0]?.invariant ?? 3, `not converged ${bound} ms after the churn stopped: ${problems.slice(0, 4).map((p) => p.message).join('; ')}`);
    }
  }
  stats.mutatingCalls = w.observer.totalMutating();
  for (const s of w.slots) if (s.gate.state !== 'dead') s.kill();

  const bounds = { ...soakBounds(churn), ...o.extraBounds };
  const rows: SizeRow[] = [...maxima.keys()].sort().map((name) => ({ name, max: maxima.get(name)!, end: endSizes[name] ?? 0, bound: bounds[name]?.bound, rule: bounds[name]?.rule ?? 'NO BOUND STATED' }));
  return {
    violation: checker.violation,
    virtualMs: w.clock.now() - T0,
    wallMs: performance.now() - wallStart,
    rows,
    failures: rows.filter((r) => r.bound === undefined || r.max > r.bound),
    churn,
    stats,
  };
}

/** The table the CLI prints: one line per size, its largest and end reading, its bound and why. */
export function formatRows(rows: readonly SizeRow[]): string[] {
  const w = Math.max(...rows.map((r) => r.name.length));
  return rows.map((r) => `${r.bound === undefined || r.max > r.bound ? 'OVER' : ' ok '} ${r.name.padEnd(w)}  max ${String(r.max).padStart(7)}  end ${String(r.end).padStart(7)}  bound ${String(r.bound ?? '-').padStart(7)}  (${r.rule})`);
}
