/**
 * Named health checks (Kubernetes-style `/healthz` and `/readyz`). A check resolves
 * `{ ok, message? }` or throws (= failed); each runs with a timeout, all run in parallel.
 * Checks are pluggable: other parts add theirs by name (e.g. `leadership` from leader
 * election); adding a name again replaces the check.
 */
import type { RedisLike } from '../desired/lua.js';
import { execRouted } from '../desired/redis-pipeline.js';

export interface CheckResult {
  ok: boolean;
  message?: string;
}

export type HealthCheck = () => CheckResult | Promise<CheckResult>;

export interface CheckReport {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; message: string }>;
}

/** Default per-check timeout, ms. */
export const CHECK_TIMEOUT_MS = 1000;

export class HealthChecks {
  private readonly checks = new Map<string, { check: HealthCheck; timeoutMs: number }>();

  constructor(readonly name: string) {}

  add(name: string, check: HealthCheck, opts: { timeoutMs?: number } = {}): this {
    this.checks.set(name, { check, timeoutMs: opts.timeoutMs ?? CHECK_TIMEOUT_MS });
    return this;
  }

  remove(name: string): boolean {
    return this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check except those in `exclude`. */
  async run(exclude: ReadonlySet<string> = new Set()): Promise<CheckReport> {
    const entries = [...this.checks].filter(([name]) => !exclude.has(name));
    const checks = await Promise.all(entries.map(async ([name, { check, timeoutMs }]) => ({ name, ...(await runOne(check, timeoutMs)) })));
    return { ok: checks.every((c) => c.ok), checks };
  }
}

async function runOne(check: HealthCheck, timeoutMs: number): Promise<{ ok: boolean; message: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<CheckResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, message: `no answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const r = await Promise.race([Promise.resolve().then(check), timeout]);
    return { ok: r.ok, message: r.message ?? (r.ok ? 'ok' : 'failed') };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Event-loop liveness: a timer ticks every `intervalMs`; the check fails when the loop was
 * blocked longer than `maxLagMs` (a tick came that late) in the last window, or no tick came
 * for `maxLagMs` (the loop is stuck, and this answer comes from a loop that just recovered).
 */
export class EventLoopMonitor {
  private last = Date.now();
  private worstLagMs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: { intervalMs?: number; maxLagMs?: number } = {}) {
    const interval = opts.intervalMs ?? 500;
    this.timer = setInterval(() => {
      const now = Date.now();
      this.worstLagMs = Math.max(0, now - this.last - interval);
      this.last = now;
    }, interval);
    this.timer.unref();
  }

  check: HealthCheck = () => {
    const max = this.opts.maxLagMs ?? 5000;
    const sinceTick = Date.now() - this.last - (this.opts.intervalMs ?? 500);
    const lag = Math.max(this.worstLagMs, sinceTick);
    return lag > max ? { ok: false, message: `event loop blocked for ${lag} ms (limit ${max} ms)` } : { ok: true, message: `event loop lag ${Math.max(0, lag)} ms` };
  };

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Readiness: Redis answers PING within `timeoutMs`. */
export function redisPingCheck(redis: { ping(): Promise<string> }): HealthCheck {
  return async () => {
    const answer = await redis.ping();
    return { ok: answer === 'PONG', message: answer === 'PONG' ? 'PONG' : `unexpected answer ${answer}` };
  };
}

/** TTL of the readiness probe key, ms. */
export const PROBE_KEY_TTL_MS = 60_000;

/**
 * Readiness: the node that serves the `{PREFIX}` hash tag is a master and accepts a write.
 * One pipeline routed by a key under the tag (a Cluster sends it to that slot's node): SET of
 * a short-lived probe key, then ROLE. Fails on a replica (READONLY, or a role other than master:
 * a failover behind one endpoint), on a slot without a master (CLUSTERDOWN), and on anything
 * else that stops the controller's writes; PING alone cannot tell any of these.
 */
export function redisPrimaryCheck(redis: RedisLike, probeKey: string): HealthCheck {
  return async () => {
    const replies = await execRouted(redis, (p) => p.set(probeKey, String(Date.now()), 'PX', PROBE_KEY_TTL_MS).call('ROLE'));
    const [[setErr], [roleErr, role]] = replies as [[Error | null, unknown], [Error | null, unknown]];
    if (setErr) return { ok: false, message: `the master of ${probeKey} refuses writes: ${setErr.message}` };
    if (roleErr) return { ok: false, message: `ROLE failed: ${roleErr.message}` };
    const kind = Array.isArray(role) ? String(role[0]) : String(role);
    return kind === 'master' ? { ok: true, message: `master of ${probeKey}, writable` } : { ok: false, message: `the node serving ${probeKey} is a ${kind}, not a master` };
  };
}

/** Readiness: the controller is running, finished its first full sync, and its full resyncs succeed (syncHealth). */
export function controllerSyncedCheck(controller: { synced: boolean; state: string; syncHealth?: () => { problem: string | undefined } }): HealthCheck {
  return () => {
    if (controller.state !== 'running') return { ok: false, message: `controller is ${controller.state}` };
    if (!controller.synced) return { ok: false, message: 'first full sync not done yet' };
    const problem = controller.syncHealth?.().problem;
    return problem ? { ok: false, message: problem } : { ok: true, message: 'full resyncs succeed' };
  };
}
