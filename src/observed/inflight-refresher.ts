/**
 * Fast refresh of in-flight tasks, so the loop notices RUNNING (or a finished stop) within about
 * one `intervalMs` instead of waiting for the next full resync.
 *
 * Rules:
 * - In flight: live but not yet RUNNING (PROVISIONING..ACTIVATING, or an unknown status), or
 *   stopping (desiredStatus STOPPED and not yet STOPPED). Everything else is settled.
 * - Every `intervalMs` (on the injected clock) the tracked ARNs are described in batches of at
 *   most 100; an empty set costs no call. Ticks never overlap: the next one is scheduled when
 *   the previous one finishes.
 * - `onChange(task, previous)` fires for each task whose observable facts changed; settled tasks
 *   are reported once and then dropped. A task MISSING on describe is reported via `onVanished`
 *   and dropped. Callback and read failures go to `onError`; the loop keeps going.
 * - Correctness never depends on this: it is a hint source next to the level-triggered resync.
 */
import type { Clock, TimerHandle } from '../common/clock.js';
import { ECS_PAGE_MAX, type AwsApi } from './aws-api.js';
import { chunk, mapLimit } from './map-limit.js';
import { isLive, type ObservedTask } from './model.js';

/** True while a task is starting or stopping (see the module rules). */
export function isInFlight(task: ObservedTask): boolean {
  if (task.lastStatus === 'STOPPED' || task.lastStatus === 'DELETED') return false;
  if (task.desiredStatus === 'STOPPED') return true;
  return isLive(task) && task.lastStatus !== 'RUNNING';
}

/** The facts a reconcile cares about; a change in any of them is reported. */
function fingerprint(t: ObservedTask): string {
  const tags = Object.keys(t.tags)
    .sort()
    .map((k) => `${k}=${t.tags[k]}`)
    .join(',');
  return [t.lastStatus, t.desiredStatus, t.privateIp, t.startedAt, t.stoppingAt, t.stoppedAt, t.stopCode, t.stoppedReason, tags].join('|');
}

export interface InflightRefresherOptions {
  readonly api: AwsApi;
  readonly cluster: string;
  readonly clock: Clock;
  /** Refresh cadence in ms (default 1000). */
  readonly intervalMs?: number;
  /** DescribeTasks batches in flight at once (default 2). */
  readonly concurrency?: number;
  readonly onChange: (task: ObservedTask, previous: ObservedTask | undefined) => void;
  readonly onVanished?: (arn: string) => void;
  readonly onError?: (err: unknown) => void;
}

export class InflightRefresher {
  private readonly tracked = new Map<string, ObservedTask | undefined>();
  private readonly intervalMs: number;
  private timer: TimerHandle | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(private readonly opts: InflightRefresherOptions) {
    this.intervalMs = opts.intervalMs ?? 1000;
    if (!(this.intervalMs > 0)) throw new RangeError(`InflightRefresher: intervalMs must be > 0, got ${this.intervalMs}`);
  }

  /** Starts tracking a task (e.g. just launched, or just asked to stop). Settled tasks are ignored. */
  track(task: ObservedTask): void {
    if (isInFlight(task)) this.tracked.set(task.arn, task);
  }

  /** Tracks an ARN whose state is not known yet (e.g. RunTask returned only an ARN). */
  trackArn(arn: string): void {
    if (!this.tracked.has(arn)) this.tracked.set(arn, undefined);
  }

  untrack(arn: string): void {
    this.tracked.delete(arn);
  }

  /** Re-syncs the tracked set from a full read: tracks in-flight tasks, drops settled ones. */
  syncFrom(tasks: Iterable<ObservedTask>): void {
    for (const t of tasks) {
      if (isInFlight(t)) this.tracked.set(t.arn, t);
      else this.tracked.delete(t.arn);
    }
  }

  /**
   * For soak tests and diagnostics: `tracked` = tasks starting or stopping now (a settled task is
   * dropped at the refresh that sees it, or at the next full sync), plus ARNs just launched.
   */
  sizes(): Record<string, number> {
    return { tracked: this.tracked.size };
  }

  trackedArns(): string[] {
    return [...this.tracked.keys()];
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule();
  }

  /** Stops the cadence and aborts a refresh in progress; resolves when it has finished. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) this.opts.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.abort.abort(new Error('InflightRefresher stopped'));
    await this.current;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = undefined;
      this.current = this.refreshOnce(this.abort.signal)
        .then(
          () => undefined,
          (err: unknown) => this.opts.onError?.(err),
        )
        .finally(() => {
          this.current = undefined;
          this.schedule();
        });
    }, this.intervalMs);
  }

  /** One refresh of every tracked task; returns the number of changes reported. */
  async refreshOnce(signal?: AbortSignal): Promise<number> {
    const arns = [...this.tracked.keys()];
    if (arns.length === 0) return 0;
    let changes = 0;
    await mapLimit(chunk(arns, ECS_PAGE_MAX), this.opts.concurrency ?? 2, async (batch) => {
      const out = await this.opts.api.ecs.describeTasks({ cluster: this.opts.cluster, tasks: batch }, { signal });
      const seen = new Set<string>();
      for (const task of out.tasks) {
        seen.add(task.arn);
        if (!this.tracked.has(task.arn)) continue; // untracked meanwhile
        const previous = this.tracked.get(task.arn);
        if (isInFlight(task)) this.tracked.set(task.arn, task);
        else this.tracked.delete(task.arn);
        if (previous === undefined || fingerprint(previous) !== fingerprint(task)) {
          changes++;
          this.emit(() => this.opts.onChange(task, previous));
        }
      }
      for (const f of out.failures) {
        const arn = f.arn !== undefined && batch.includes(f.arn) ? f.arn : undefined;
        if (arn === undefined || seen.has(arn) || !this.tracked.has(arn) || f.reason !== 'MISSING') continue;
        this.tracked.delete(arn);
        changes++;
        this.emit(() => this.opts.onVanished?.(arn));
      }
    });
    return changes;
  }

  private emit(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.onError?.(err);
    }
  }
}
