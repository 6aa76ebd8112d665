/**
 * The whole system through a Redis failover that loses writes, on Sentinel and on Cluster
 * (private deployments on loopback; test/support/lossy-failover.ts makes the writes be lost):
 * two real `reconciler run` processes, the simulator over HTTP, and two gateways writing 100
 * sessions before, during and after the failover. The leader is SIGTERMed as the failover begins,
 * so the follower takes over across it.
 *
 * Gateways: `durable` uses the default replica acknowledgement (REDIS_WAIT_REPLICAS=1), `fast`
 * turns it off (acknowledged by the master alone, as with a managed service that offers no
 * WAIT). Each writes a session, retrying until it is acknowledged, then waits for it to be ready.
 *
 * Shown:
 * - the terms acted on (each daemon's `became leader (epoch N)`) have strictly increasing epochs,
 *   and the epoch in Redis, sampled every 100 ms, is never below a term already acted on (only
 *   terms no replica acknowledged are lost), so no write of an older term can be accepted; at the
 *   end every token handed out before the current term (acknowledged or not) is fenced;
 * - no session has two live tasks;
 * - every acknowledged session ends Running, or its gateway is told it was lost
 *   (SessionNotFoundError); no wait ends on the caller's own timeout; with acknowledgement on,
 *   none is lost.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import { isFencedError } from '../../src/desired/errors.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { aStatus } from '../fixtures/builders.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { gatewaySession, tallyGateway, type GatewaySessionResult } from '../support/gateway-session.js';
import { lossyFailover } from '../support/lossy-failover.js';
import { uniquePrefix } from '../support/redis.js';
import { startTopology } from '../support/redis-topology.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';
import { duplicates, epochOf, HA_ENV, leaderPid, startCountingProxy } from '../leader/support/ha-harness.js';

const N = 100;
/** The gateway's own bound on each wait, ms: far beyond what the failover takes, so reaching it is a failure. */
const WAIT_TIMEOUT_MS = 150_000;
const ACK_DEADLINE_MS = 90_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

interface Term {
  epoch: number;
  at: number;
  daemon: string;
}

/** The terms a daemon acted on, from its log (`became leader (epoch N)`, with pino's time). */
function termsOf(daemon: string, output: string): Term[] {
  const terms: Term[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('became leader')) continue;
    const rec = JSON.parse(line) as { time: number; epoch: number };
    terms.push({ epoch: rec.epoch, at: rec.time, daemon });
  }
  return terms;
}

interface EpochSample {
  /** When the read was sent, ms. */
  sentAt: number;
  epoch: number;
}

/** Reads the stored epoch every `everyMs` until stopped (failed reads are skipped: the outage). */
function sampleEpoch(conn: RedisLike, prefix: string, everyMs = 100): { samples: EpochSample[]; stop(): Promise<void> } {
  const samples: EpochSample[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const sentAt = Date.now();
      const epoch = await epochOf(conn, prefix).catch(() => undefined);
      if (epoch !== undefined) samples.push({ sentAt, epoch });
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    samples,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

describe.each(['sentinel', 'cluster'] as const)('the daemon through a lossy failover on %s', (kind) => {
  it(`${N} sessions, leader SIGTERMed: epochs only go up, no duplicates, every acknowledged session Running or reported lost`, { timeout: 300_000 }, async () => {
    const topo = await startTopology(kind);
    cleanups.push(() => topo.stop());
    const { core, sim } = await startSim();
    cleanups.push(() => sim.close());
    const prefix = uniquePrefix('esrlossyd');
    const { REDIS_URL: _shared, ...stack } = stackEnv(sim.url, prefix, { ...HA_ENV, RECONCILER_LOG_LEVEL: 'info', RECONCILER_SHUTDOWN_GRACE_MS: '3000' });
    const env = { ...stack, ...topo.env };
    const admin = topo.connect({ REDIS_WAIT_REPLICAS: '0', REDIS_COMMAND_TIMEOUT_MS: '1000' });
    cleanups.push(() => admin.disconnect());
    const proxies = [await startCountingProxy(sim.url), await startCountingProxy(sim.url)] as const;
    cleanups.push(() => Promise.all(proxies.map((p) => p.close())).then(() => undefined));
    const procs: DaemonProcess[] = [];
    cleanups.push(() => procs.forEach((p) => p.child.kill('SIGKILL')));
    onTestFailed(() => procs.forEach((p, i) => console.log(`--- daemon ${i} (pid ${p.child.pid}):\n${p.output().split('\n').filter((l) => !/"level":30/.test(l) || /leader/.test(l)).join('\n').slice(-6000)}`)));
    const spawn = (i: 0 | 1): DaemonProcess => {
      const p = spawnDaemon({ ...env, AWS_ENDPOINT_URL: proxies[i].url });
      procs.push(p);
      return p;
    };

    const a = spawn(0);
    await eventually('a leads', async () => (await leaderPid(admin, prefix).catch(() => undefined)) === a.child.pid, 30_000, 100);
    const b = spawn(1);
    const gateways: Record<'durable' | 'fast', SessionClient> = {
      durable: connectSessionClient({ env, prefix }),
      fast: connectSessionClient({ env: { ...env, REDIS_WAIT_REPLICAS: '0' }, prefix }),
    };
    cleanups.push(() => Promise.all(Object.values(gateways).map((g) => g.close())).then(() => undefined));
    const sampler = sampleEpoch(admin, prefix);
    cleanups.push(() => sampler.stop());

    const submissions: Array<Promise<GatewaySessionResult & { gateway: 'durable' | 'fast' }>> = [];
    let acknowledged = 0;
    const submit = (i: number): void => {
      const gateway = i % 2 === 0 ? 'durable' : 'fast';
      const opts = { ackDeadlineMs: ACK_DEADLINE_MS, waitTimeoutMs: WAIT_TIMEOUT_MS, onAcknowledged: () => void acknowledged++ };
      submissions.push(gatewaySession(gateways[gateway], `s${i}`, opts).then((r) => ({ ...r, gateway })));
    };

    // Before: 30 sessions, acknowledged (the leader is launching them as the failover begins).
    for (let i = 0; i < 30; i++) submit(i);
    await eventually('the first 30 acknowledged', () => acknowledged >= 30, 30_000);
    let terminatedAt = 0;
    const failover = await lossyFailover(topo, {
      tag: `{${prefix}}`,
      // During: the leader is told to stop; 40 sessions over ~2.4 s, acknowledged by the old master only.
      whileStalled: async () => {
        a.child.kill('SIGTERM');
        terminatedAt = Date.now();
        for (let i = 30; i < 70; i++) {
          submit(i);
          await new Promise((r) => setTimeout(r, 60)); // the gateway's pace
        }
      },
    });
    // After: the deployment is whole again (old master back as a replica); 30 more.
    for (let i = 70; i < N; i++) submit(i);
    const results = await Promise.all(submissions);
    const aExit = await Promise.race([a.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
    await sampler.stop();

    // Terms acted on, in time order: strictly increasing epochs.
    const terms = [...termsOf('a', a.output()), ...termsOf('b', b.output())].sort((x, y) => x.at - y.at);
    const backwards = terms.filter((t, i) => i > 0 && t.epoch <= terms[i - 1]!.epoch);
    // The stored epoch, read after a term was acted on, is never below that term's epoch.
    const belowActedOn = sampler.samples.filter((s) => terms.some((t) => t.at < s.sentAt && s.epoch < t.epoch));
    const storeWentBack = sampler.samples.filter((s, i) => i > 0 && s.epoch < sampler.samples[i - 1]!.epoch).length;
    // Every token handed out before the current term is fenced now: older terms acted on, and
    // terms acquired without a replica's acknowledgement (never acted on; some lost with the master).
    const probe = new RedisDesiredStore({ redis: admin, prefix });
    const current = terms.at(-1)?.epoch ?? Infinity;
    const unacknowledged = procs.flatMap((p) => [...p.output().matchAll(/term (\d+) not acted on/g)].map((m) => Number(m[1])));
    const olderTokens = [...new Set([...terms.map((t) => t.epoch), ...unacknowledged])].filter((e) => e < current);
    let acceptedFromFenced = 0;
    for (const token of olderTokens) {
      const res = await probe.writeStatus('fence-probe', aStatus(), token).catch((e: unknown) => e);
      if (!isFencedError(res)) acceptedFromFenced++;
    }
    const staleRejected = procs.reduce((n, p) => n + (p.output().match(/stale write rejected by fencing/g) ?? []).length, 0);

    // Sessions: every acknowledged one Running (in Redis, with exactly one live task) or reported lost.
    const byGateway = (g: 'durable' | 'fast') => tallyGateway(results.filter((r) => r.gateway === g));
    const durable = byGateway('durable');
    const fast = byGateway('fast');
    const running = results.filter((r) => r.outcome.kind === 'running').map((r) => r.id);
    await eventually('every session reported Running is Running in Redis', async () => {
      const page = await gateways.durable.listSessions({ limit: 1000 });
      const phase = new Map(page.sessions.map((e) => [e.id, e.status?.phase]));
      return running.every((id) => phase.get(id) === 'Running');
    }, 30_000, 200);
    const d = duplicates(core);
    const takeover = terms.find((t) => t.daemon === 'b');
    console.log([
      `${kind} lossy failover: promotion ${failover.promotionMs} ms, writes lost ${failover.lostWrites}; leader a SIGTERMed (exit ${aExit}), b's first term ${takeover ? takeover.at - terminatedAt : NaN} ms after the SIGTERM`,
      `  terms acted on (epoch, daemon): ${terms.map((t) => `${t.epoch} ${t.daemon}`).join(' -> ')}; not increasing: ${backwards.length}`,
      `  epoch samples ${sampler.samples.length}: below a term already acted on ${belowActedOn.length}; store went back ${storeWentBack} times (terms no replica acknowledged)`,
      `  tokens of earlier terms tried after the failover: ${olderTokens.length} (${unacknowledged.length} never acknowledged), accepted ${acceptedFromFenced}; stale writes rejected by fencing in the daemons' logs ${staleRejected}`,
      `  durable gateway (WAIT 1): ${JSON.stringify(durable.outcomes)}, refused writes ${JSON.stringify(durable.refused)}`,
      `  fast gateway (WAIT 0): ${JSON.stringify(fast.outcomes)}, refused writes ${JSON.stringify(fast.refused)}`,
      `  wait errors: ${JSON.stringify([...new Set(results.flatMap((r) => (r.outcome.kind === 'error' || r.outcome.kind === 'timeout' ? [`${r.id}: ${r.outcome.message}`] : [])))].slice(0, 5))}`,
      `  duplicates ${d.duplicates}; live tasks ${[...d.perSession.values()].reduce((x, y) => x + y, 0)}; tasks ever launched ${d.everLaunched}; mutating calls a=${proxies[0].mutatingTotal()} b=${proxies[1].mutatingTotal()}`,
    ].join('\n'));

    expect(failover.lostWrites).toBe(true);
    expect(takeover).toBeDefined();
    expect(terms.length).toBeGreaterThanOrEqual(2);
    expect(backwards).toEqual([]);
    expect(belowActedOn).toEqual([]);
    expect(acceptedFromFenced).toBe(0);
    expect(d.duplicates).toBe(0);
    for (const id of running) expect(d.perSession.get(id), `live tasks of ${id}`).toBe(1);
    for (const t of [durable, fast]) {
      expect(t.outcomes.timeout, 'waits that ended on the caller\'s timeout').toBe(0);
      expect(t.outcomes.error).toBe(0);
      expect(t.outcomes.unacknowledged).toBe(0);
    }
    expect(durable.outcomes.running).toBe(N / 2); // acknowledged by a replica: never lost
    expect(fast.outcomes.running + fast.outcomes.lost).toBe(N / 2);
    expect(fast.outcomes.lost).toBeGreaterThan(0); // acknowledged by the old master only, during the stall: lost, and said so
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
