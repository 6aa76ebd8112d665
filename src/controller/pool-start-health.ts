/**
 * Whether a warm pool can start tasks. RunTask answering with tasks is not enough: a task that
 * stops before RUNNING (`TaskFailedToStart`, an image that cannot be pulled) is a failed start,
 * learned after the call returned. Each warm task's fate counts once for the pool's breaker
 * (a fault when it stopped before RUNNING, unless we stopped it; a success once it ran), beside
 * the batches RunTask itself refused. After POOL_BREAKER.threshold failures in a row the breaker
 * opens: no batch for the cooldown, then one probe batch, as the ECS service scheduler throttles
 * launches of tasks that keep failing to start.
 */
import type { Clock } from '../common/clock.js';
import type { PoolStartFailures } from '../desired/warm-schema.js';
import { isLive, isRunning, type ObservedTask } from '../observed/model.js';
import { LaunchFailedError } from './execute/errors.js';
import { DependencyBreaker } from './resilience/index.js';

/**
 * A pool whose starts keep failing stops trying for a while: after this many consecutive failed
 * starts (tasks or whole batches) its breaker opens for the cooldown, then a single half-open
 * batch decides. The work queue's backoff alone would keep probing forever.
 */
export const POOL_BREAKER = { threshold: 3, cooldownMs: 60_000 } as const;

export class PoolStartHealth {
  readonly breaker: DependencyBreaker;
  /** Tasks whose fate was counted (bounded by the tasks ECS still shows). */
  private readonly counted = new Set<string>();
  private consecutive = 0;
  private last: { at: number; reason: string; message: string } | undefined;

  constructor(
    readonly pool: string,
    private readonly clock: Clock,
  ) {
    this.breaker = new DependencyBreaker({ name: `pool:${pool}`, clock, threshold: POOL_BREAKER.threshold, halfOpenAfterMs: POOL_BREAKER.cooldownMs, isFault: (err) => err instanceof LaunchFailedError });
  }

  /** Failed starts in a row (0 once a task ran). */
  get consecutiveFailures(): number {
    return this.consecutive;
  }

  /** Counts the fates of the pool's tasks not counted yet. */
  observe(tasks: readonly ObservedTask[]): void {
    const present = new Set<string>();
    for (const t of tasks) {
      present.add(t.arn);
      if (this.counted.has(t.arn)) continue;
      if (t.startedAt !== undefined || isRunning(t)) {
        this.counted.add(t.arn);
        this.consecutive = 0;
        this.last = undefined;
        this.breaker.record({ ok: true });
      } else if (!isLive(t) && t.stopCode !== 'UserInitiated') {
        this.counted.add(t.arn);
        const reason = t.stopCode ?? 'StoppedBeforeRunning';
        this.failed(reason, `warm task ${t.arn} stopped before RUNNING: ${reason}: ${t.stoppedReason ?? 'no reason given'}`);
        this.breaker.record({ ok: false, error: new LaunchFailedError(`pool:${this.pool}`, [reason]) });
      }
    }
    for (const arn of this.counted) if (!present.has(arn)) this.counted.delete(arn);
  }

  /**
   * Launches a batch through the breaker. While closed, a RunTask that started tasks is no
   * success yet (the tasks' fates decide, in `observe`); one that started none is a fault. While
   * open it fails fast (CircuitOpenError); after the cooldown the batch is the probe.
   */
  async launch(run: () => Promise<void>): Promise<void> {
    if (this.breaker.state() !== 'closed') {
      await this.breaker.execute(run).catch((err: unknown) => {
        if (err instanceof LaunchFailedError) this.failed(err.reasons[0] ?? 'RunTaskFailure', err.message);
        throw err;
      });
      return;
    }
    try {
      await run();
    } catch (err) {
      if (err instanceof LaunchFailedError) {
        this.failed(err.reasons[0] ?? 'RunTaskFailure', err.message);
        this.breaker.record({ ok: false, error: err });
      }
      throw err;
    }
  }

  private failed(reason: string, message: string): void {
    this.consecutive++;
    this.last = { at: this.clock.now(), reason: reason.slice(0, 256), message: message.slice(0, 2048) };
  }

  /** What the pool status says about it; undefined while starts succeed. */
  summary(): PoolStartFailures | undefined {
    if (this.consecutive === 0 || !this.last) return undefined;
    const state = this.breaker.state();
    const breaker = state === 'isolated' ? 'open' : state;
    const wait = this.breaker.retryAfterMs();
    return { consecutive: this.consecutive, ...this.last, breaker, ...(breaker === 'open' && wait > 0 ? { retryAfter: Math.ceil(this.clock.now() + wait) } : {}) };
  }
}

/** True when two summaries say the same (the time of the last failure and the retry time aside). */
export function sameStartFailures(a: PoolStartFailures | undefined, b: PoolStartFailures | undefined): boolean {
  if (!a || !b) return a === b;
  return a.consecutive === b.consecutive && a.reason === b.reason && a.breaker === b.breaker;
}
