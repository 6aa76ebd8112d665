/**
 * The task-event source: long-polls the SQS queue an EventBridge rule fills with "ECS Task State
 * Change" events and turns each into a hint (the cache learns the newer view of a task, its
 * session or pool is enqueued). Events only say "look now": SQS standard queues deliver at least
 * once, late and out of order, and EventBridge drops events when its target fails, so duplicates,
 * reordering, loss, malformed bodies and tasks we do not know are all normal here; the periodic
 * full resync stays the truth.
 *
 * Rules:
 * - One ReceiveMessage at a time: up to 10 messages, long polling (`waitSeconds`, at most 20), a
 *   visibility timeout; every received message is handled, then deleted in one DeleteMessageBatch
 *   (malformed and foreign ones too: retrying them cannot help). A failed delete only means the
 *   messages come back after the visibility timeout, as harmless duplicates.
 * - Every SQS call goes through the guarded call (rate limit, the `sqs` circuit breaker, a timeout,
 *   classification and call metrics), like ECS calls. After a failed receive the loop waits with
 *   capped exponential backoff with full jitter (the work queue's limiter, one key), reset by the
 *   next successful receive.
 * - While `isActive()` is false (a follower, when leader election is on) it does not receive, so
 *   the leader gets every event; it looks again every `inactivePollMs`.
 * - Handling never throws: an exception in `apply` counts as `error` and the loop goes on.
 */
import type { Clock } from '../../common/clock.js';
import type { Rng } from '../../common/rng.js';
import type { ObservedTask } from '../../observed/model.js';
import { SQS_BATCH_MAX, type QueueMessage, type SqsApi } from '../../observed/sqs-api.js';
import { readTaskStateChange } from '../../observed/task-state-change.js';
import type { GuardedCall } from '../execute/context.js';
import { ExponentialJitterLimiter } from '../queue/exponential-jitter-limiter.js';
import type { RateLimiter } from '../queue/rate-limiter.js';

/** What the cache did with a task view from an event (ControllerCache.applyTaskEvent). */
export type TaskEventApplied = 'applied' | 'stale' | 'unknownTask' | 'unversioned';

/** The result of one message, the `result` label of `esr_task_events_total`. */
export const TASK_EVENT_RESULTS = ['applied', 'stale', 'unknownTask', 'unversioned', 'malformed', 'foreign', 'error'] as const;
export type TaskEventResult = (typeof TASK_EVENT_RESULTS)[number];

export interface TaskEventSourceOptions {
  /** The raw queue API; calls go through `call`. */
  api: SqsApi;
  call: GuardedCall;
  queueUrl: string;
  /** Our ECS cluster (name or ARN): events of other clusters are `foreign`. */
  cluster: string;
  clock: Clock;
  rng: Rng;
  /** Long poll, seconds (1..20; 0 would make an empty queue a busy loop). */
  waitSeconds: number;
  /** Visibility timeout of received messages, seconds. */
  visibilityTimeoutSeconds: number;
  /** Turns a task view into a hint; returns what the cache did with it. */
  apply: (task: ObservedTask) => TaskEventApplied;
  /** Receive only while true (leadership). Default: always. */
  isActive?: () => boolean;
  /** How often an inactive source looks again, ms. Default 1000. */
  inactivePollMs?: number;
  /** Backoff after a failed receive (one key, `receive`). Default: 1 s doubling up to 30 s, full jitter. */
  backoff?: RateLimiter<string>;
  /** Each message's result, with the event's age at handling (ms; undefined when it has no time) and, for drops, why. */
  onMessage?: (result: TaskEventResult, info: { ageMs: number | undefined; reason?: string; taskArn?: string }) => void;
  onError?: (where: 'receive' | 'delete' | 'apply', err: unknown) => void;
}

/** Call budget of a long poll: the wait plus an ordinary read budget, ms. */
export function receiveBudgetMs(waitSeconds: number, readCallMs: number): number {
  return waitSeconds * 1000 + readCallMs;
}

export type TaskEventSourceState = 'idle' | 'running' | 'stopped';

export class TaskEventSource {
  state: TaskEventSourceState = 'idle';
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly backoff: RateLimiter<string>;

  constructor(private readonly o: TaskEventSourceOptions) {
    if (!(Number.isInteger(o.waitSeconds) && o.waitSeconds >= 1 && o.waitSeconds <= 20)) throw new RangeError(`TaskEventSource: waitSeconds must be an integer 1..20 (a long poll), got ${o.waitSeconds}`);
    this.backoff = o.backoff ?? new ExponentialJitterLimiter({ baseMs: 1000, capMs: 30_000, rng: o.rng });
  }

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.loop = this.run();
  }

  /** Ends a long poll in progress and the loop; resolves when it has ended. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.abort.abort(new Error('task-event source stopping'));
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      if (this.o.isActive && !this.o.isActive()) {
        await this.o.clock.sleep(this.o.inactivePollMs ?? 1000, signal).catch(() => undefined);
        continue;
      }
      let messages: QueueMessage[];
      try {
        messages = await this.receive(signal);
        this.backoff.forget('receive');
      } catch (err) {
        if (signal.aborted) return;
        this.o.onError?.('receive', err);
        await this.o.clock.sleep(this.backoff.when('receive'), signal).catch(() => undefined);
        continue;
      }
      if (messages.length === 0) continue;
      for (const m of messages) this.handle(m);
      await this.delete(messages, signal);
    }
  }

  private receive(signal: AbortSignal): Promise<QueueMessage[]> {
    const { api, queueUrl, waitSeconds, visibilityTimeoutSeconds } = this.o;
    return this.o.call({ service: 'sqs', operation: 'ReceiveMessage' }, (s) =>
      api.receiveMessages({ queueUrl, maxMessages: SQS_BATCH_MAX, waitSeconds, visibilityTimeoutSeconds }, { signal: AbortSignal.any([s, signal]) }),
    );
  }

  private async delete(messages: readonly QueueMessage[], signal: AbortSignal): Promise<void> {
    const { api, queueUrl } = this.o;
    try {
      const out = await this.o.call({ service: 'sqs', operation: 'DeleteMessageBatch' }, (s) =>
        api.deleteMessages({ queueUrl, receiptHandles: messages.map((m) => m.receiptHandle) }, { signal: AbortSignal.any([s, signal]) }),
      );
      if (out.failed.length > 0) this.o.onError?.('delete', new Error(`DeleteMessageBatch refused ${out.failed.length} of ${messages.length}: ${out.failed[0]!.code}: ${out.failed[0]!.message}`));
    } catch (err) {
      if (!signal.aborted) this.o.onError?.('delete', err);
    }
  }

  private handle(m: QueueMessage): void {
    const reading = readTaskStateChange(m.body, this.o.cluster);
    if (reading.kind !== 'task') {
      this.o.onMessage?.(reading.kind, { ageMs: undefined, reason: `message ${m.messageId}: ${reading.reason}` });
      return;
    }
    const ageMs = reading.time === undefined ? undefined : Math.max(0, this.o.clock.now() - reading.time);
    let result: TaskEventResult;
    try {
      result = this.o.apply(reading.task);
    } catch (err) {
      this.o.onError?.('apply', err);
      result = 'error';
    }
    this.o.onMessage?.(result, { ageMs, taskArn: reading.task.arn });
  }
}
