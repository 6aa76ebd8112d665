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
 * - Starting tasks expected to turn RUNNING soon are described more often, every
 *   `fastIntervalMs` (default a quarter of `intervalMs`), between the full ticks: a task is
 *   expected soon once it is ACTIVATING (ECS's last step before RUNNING), or once its age reaches
 *   the 10th percentile of the start times (createdAt to startedAt) of the last tasks seen to
 *   start here. The wait a user feels from RUNNING to a Running status is then about
 *   `fastIntervalMs`/2 instead of `intervalMs`/2, for a few more DescribeTasks calls only while
 *   tasks are about to start (a fast tick with nothing due costs no call; a call it makes is
 *   filled up to 100 ARNs with the other tracked tasks, at no extra cost).
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
  /**
   * Cadence of the describes of tasks expected to turn RUNNING soon (see the module rules), ms;
   * default max(100, intervalMs / 4). A value >= intervalMs turns them off.
   */
  readonly fastIntervalMs?: number;
  /** DescribeTasks batches in flight at once (default 2). */
  readonly concurrency?: number;
  readonly onChange: (task: ObservedTask, previous: ObservedTask | undefined) => void;
  readonly onVanished?: (arn: string) => void;
  readonly onError?: (err: unknown) => void;
}

/** Start times remembered for the estimate (the most recent ones). */
const START_SAMPLES = 200;
/** Start times needed before the estimate is used. */
const MIN_START_SAMPLES = 5;
/** The quantile of recent start times from which a starting task is expected to turn RUNNING soon. */
const SOON_QUANTILE = 0.1;

/** Starting: live, not yet RUNNING, not being stopped. */
function isStarting(t: ObservedTask): boolean {
  return isLive(t) && t.lastStatus !== 'RUNNING' && t.desiredStatus !== 'STOPPED';
}

export class InflightRefresher {
  private readonly tracked = new Map<string, ObservedTask | undefined>();
  private readonly intervalMs: number;
  private readonly fastIntervalMs: number;
  /** Recent start times (createdAt to startedAt), ms, a ring of START_SAMPLES. */
  private readonly startTimes: number[] = [];
  private startTimesNext = 0;
  private soonMsCache: number | undefined;
  private nextFullAt = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  private current: Promise<void> | undefined;
  private abort = new AbortController();

  constructor(private readonly opts: InflightRefresherOptions) {
    this.intervalMs = opts.intervalMs ?? 1000;
    if (!(this.intervalMs > 0)) throw new RangeError(`InflightRefresher: intervalMs must be > 0, got ${this.intervalMs}`);
    this.fastIntervalMs = opts.fastIntervalMs ?? Math.max(100, Math.round(this.intervalMs / 4));
    if (!(this.fastIntervalMs > 0)) throw new RangeError(`InflightRefresher: fastIntervalMs must be > 0, got ${this.fastIntervalMs}`);
  }

  /** Age (ms since createdAt) from which a starting task is expected to turn RUNNING soon; undefined: too few starts seen yet. */
  expectedSoonMs(): number | undefined {
    if (this.startTimes.length < MIN_START_SAMPLES) return undefined;
    if (this.soonMsCache === undefined) {
      const sorted = [...this.startTimes].sort((a, b) => a - b);
      this.soonMsCache = sorted[Math.floor(SOON_QUANTILE * (sorted.length - 1))]!;
    }
    return this.soonMsCache;
  }

  private recordStart(t: ObservedTask): void {
    if (t.createdAt === undefined || t.startedAt === undefined || t.startedAt < t.createdAt) return;
    if (this.startTimes.length < START_SAMPLES) this.startTimes.push(t.startedAt - t.createdAt);
    else this.startTimes[this.startTimesNext] = t.startedAt - t.createdAt;
    this.startTimesNext = (this.startTimesNext + 1) % START_SAMPLES;
    this.soonMsCache = undefined;
  }

  /** Whether a tracked task is expected to turn RUNNING soon (described at the fast cadence). */
  private dueSoon(t: ObservedTask | undefined, now: number, soonMs: number | undefined): boolean {
    if (!t || !isStarting(t)) return false;
    if (t.lastStatus === 'ACTIVATING') return true;
    return soonMs !== undefined && t.createdAt !== undefined && now - t.createdAt >= soonMs;
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
    const now = this.opts.clock.now();
    if (this.nextFullAt <= now) this.nextFullAt = now + this.intervalMs;
    const fast = this.fastIntervalMs < this.intervalMs && this.anyStarting();
    const delay = fast ? Math.min(this.fastIntervalMs, this.nextFullAt - now) : this.nextFullAt - now;
    this.timer = this.opts.clock.setTimer(() => {
      this.timer = undefined;
      const at = this.opts.clock.now();
      const full = at >= this.nextFullAt;
      this.current = (full ? this.refreshOnce(this.abort.signal) : this.refreshSoon(this.abort.signal))
        .then(
          () => undefined,
          (err: unknown) => this.opts.onError?.(err),
        )
        .finally(() => {
          this.current = undefined;
          if (full) this.nextFullAt = this.opts.clock.now() + this.intervalMs;
          this.schedule();
        });
    }, Math.max(0, delay));
  }

  private anyStarting(): boolean {
    for (const t of this.tracked.values()) if (t && isStarting(t)) return true;
    return false;
  }

  /**
   * A fast tick: describes the tasks expected to turn RUNNING soon, with other tracked tasks
   * filling the calls up to 100 ARNs each. Nothing due: no call. Returns the changes reported.
   */
  async refreshSoon(signal?: AbortSignal): Promise<number> {
    const now = this.opts.clock.now();
    const soonMs = this.expectedSoonMs();
    const due: string[] = [];
    const rest: string[] = [];
    for (const [arn, t] of this.tracked) (this.dueSoon(t, now, soonMs) ? due : rest).push(arn);
    if (due.length === 0) return 0;
    const room = Math.ceil(due.length / ECS_PAGE_MAX) * ECS_PAGE_MAX - due.length;
    return this.describe([...due, ...rest.slice(0, room)], signal);
  }

  /** One refresh of every tracked task; returns the number of changes reported. */
  async refreshOnce(signal?: AbortSignal): Promise<number> {
    return this.describe([...this.tracked.keys()], signal);
  }

  private async describe(arns: string[], signal?: AbortSignal): Promise<number> {
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
        else {
          this.tracked.delete(task.arn);
          if (task.lastStatus === 'RUNNING' && (previous === undefined || isStarting(previous))) this.recordStart(task);
        }
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
