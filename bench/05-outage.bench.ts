/**
 * Scenario 5: an ECS outage. N converged sessions (production config, Fargate timings and
 * limits); ECS answers every call with a 5xx for 2 minutes. During the outage 1% of the tasks
 * crash and 1% more sessions are created, so there is work waiting when it ends. Reported: ECS
 * calls that reached the simulator during the outage (with the breaker open only its half-open
 * probes should: threshold + outage / cooldown), and the virtual time from the end of the
 * outage until every session is Running again (on a live task).
 */
import { SeededRng } from '../src/common/rng.js';
import { round } from './support/stats.js';
import { BenchWorld, convergeSessions, createSessions, sessionId } from './support/world.js';
import type { BenchResult } from './types.js';

export const name = '5 ECS outage (virtual time)';

export interface OutageResult {
  sessions: number;
  outageMs: number;
  callsDuringOutage: number;
  byOperation: Record<string, number>;
  expectedProbes: number;
  recoveryMs: number | undefined;
  breakerOpenedAfterMs: number | undefined;
}

export async function measureOutage(sessions: number, outageMs: number, seed: number): Promise<OutageResult> {
  const w = new BenchWorld({ seed });
  await convergeSessions(w, sessions);
  await w.clock.advance(60_000);
  let breakerOpenedAt: number | undefined;
  const start = w.clock.now();
  const before = w.core.getStats();
  w.core.startOutage('ecs', outageMs);
  const rng = new SeededRng(seed);
  const extra = Math.max(1, Math.round(sessions / 100));
  for (let i = 0; i < extra; i++) {
    w.clock.setTimer(() => {
      const st = w.core.dump().tasks.find((t) => t.tags['esr:session'] === sessionId(Math.floor(rng.next() * sessions)) && t.lastStatus === 'RUNNING');
      if (st) w.core.crashTask(st.taskArn);
    }, Math.floor(rng.next() * outageMs));
  }
  await createSessions(w.store, extra, sessions);
  for (let t = 1_000; t <= outageMs; t += 1_000) {
    await w.clock.runUntil(start + t);
    if (breakerOpenedAt === undefined && w.breakers.ecs.state() !== 'closed') breakerOpenedAt = w.clock.now() - start;
  }
  const after = w.core.getStats();
  const byOperation: Record<string, number> = {};
  for (const [op, c] of Object.entries(after.byOperation)) {
    const d = (c?.calls ?? 0) - (before.byOperation[op as keyof typeof before.byOperation]?.calls ?? 0);
    if (d > 0 && !op.startsWith('Efs') && op !== 'CreateAccessPoint' && op !== 'DescribeAccessPoints') byOperation[op] = d;
  }
  const total = sessions + extra;
  let recoveryMs: number | undefined;
  const end = w.clock.now();
  for (let t = 1_000; t <= 600_000; t += 1_000) {
    await w.clock.runUntil(end + t);
    const snap = await w.store.snapshot();
    const live = new Set(w.core.dump().tasks.filter((x) => x.lastStatus === 'RUNNING' && x.desiredStatus === 'RUNNING').map((x) => x.taskArn));
    let ok = 0;
    for (const e of snap.sessions.values()) if (e.status?.phase === 'Running' && e.status.taskArn && live.has(e.status.taskArn)) ok++;
    if (ok === total) {
      recoveryMs = t;
      break;
    }
  }
  await w.stop();
  const cfg = w.config;
  return {
    sessions,
    outageMs,
    callsDuringOutage: Object.values(byOperation).reduce((a, b) => a + b, 0),
    byOperation,
    expectedProbes: cfg.breakerThreshold + Math.ceil(outageMs / cfg.breakerCooldownMs),
    recoveryMs,
    breakerOpenedAfterMs: breakerOpenedAt,
  };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const r = await measureOutage(quick ? 200 : 1000, 120_000, 5);
  return {
    rows: [
      { metric: 'sessions; outage length', value: `${r.sessions}; ${r.outageMs / 1000}`, unit: 'count; s' },
      { metric: 'ECS calls during the outage', value: r.callsDuringOutage, unit: 'calls', target: `<= ${r.expectedProbes} (threshold + outage/cooldown probes)` },
      { metric: 'breaker open after (sampled per second)', value: r.breakerOpenedAfterMs === undefined ? 'never' : round(r.breakerOpenedAfterMs / 1000, 1), unit: 'virtual s' },
      { metric: 'time to recover after the outage', value: r.recoveryMs === undefined ? 'not within 600 s' : round(r.recoveryMs / 1000, 1), unit: 'virtual s' },
    ],
    notes: [`ECS calls during the outage by operation: ${JSON.stringify(r.byOperation)}.`],
  };
}
