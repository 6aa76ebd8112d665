import { createHash } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Rng } from '../../common/rng.js';
import { MinHeap } from '../../controller/queue/min-heap.js';
import { uuidLike } from '../arns.js';
import { sqsError } from '../errors.js';

/** Queue settings in seconds, as SQS attributes name them. */
export interface SqsQueueSettings {
  /** Default VisibilityTimeout of a received message (SQS default 30 s, max 12 h). */
  visibilityTimeoutS: number;
  /** MessageRetentionPeriod (SQS default 4 days). */
  retentionS: number;
}

export const DEFAULT_QUEUE_SETTINGS: SqsQueueSettings = { visibilityTimeoutS: 30, retentionS: 4 * 24 * 3600 };

/** A message as ReceiveMessage returns it (wire names). */
export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
}

interface Stored {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  receiveCount: number;
  firstReceiveAt: number | undefined;
  /** Not receivable before this (delivery delay or visibility timeout), epoch ms. */
  visibleAt: number;
  /** Bumped by each receive; only the newest receipt handle deletes. */
  handleSeq: number;
}

/** Hex MD5 of a UTF-8 string, as SQS reports MD5OfBody / MD5OfMessageBody. */
export function md5Hex(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

/**
 * One SQS standard queue (semantics from the SQS Developer Guide): at-least-once delivery; a
 * received message is hidden for its visibility timeout and comes back (with a new receipt
 * handle, ApproximateReceiveCount + 1) unless deleted first; only the latest receipt handle
 * deletes (an older one succeeds without deleting, as documented for DeleteMessage); long
 * polling waits up to WaitTimeSeconds for a first message and answers as soon as one is there.
 * Time is the injected clock's; one clock timer at most wakes long polls when hidden messages
 * become visible.
 */
export class SqsQueue {
  private readonly messages = new Map<string, Stored>();
  /** Ids receivable now, oldest first (entries of deleted or re-hidden messages are skipped). */
  private ready: string[] = [];
  private readyHead = 0;
  private readonly hidden = new MinHeap<{ at: number; id: string; seq: number }>((a, b) => a.at < b.at);
  private readonly waiters = new Set<() => void>();
  private wake: { timer: TimerHandle; at: number } | undefined;

  constructor(
    readonly name: string,
    readonly accountId: string,
    readonly settings: SqsQueueSettings,
    private readonly clock: Clock,
    private readonly rng: Rng,
  ) {}

  /** Adds a message, receivable after `delayS` seconds; returns its id and body MD5. */
  send(body: string, delayS = 0): { id: string; md5: string } {
    const now = this.clock.now();
    const msg: Stored = { id: uuidLike(this.rng), body, md5: md5Hex(body), sentAt: now, receiveCount: 0, firstReceiveAt: undefined, visibleAt: now + delayS * 1000, handleSeq: 0 };
    this.messages.set(msg.id, msg);
    if (delayS > 0) this.hide(msg);
    else this.ready.push(msg.id);
    this.notify();
    return { id: msg.id, md5: msg.md5 };
  }

  /**
   * Receives up to `max` messages, hiding each for `visibilityS`; with `waitMs` > 0 and nothing
   * receivable, waits for the first message or until `waitMs` passes (then answers empty).
   * `signal` ends a wait with its reason.
   */
  async receive(max: number, visibilityS: number, waitMs: number, signal?: AbortSignal): Promise<ReceivedMessage[]> {
    const now = this.take(max, visibilityS);
    if (now.length > 0 || waitMs <= 0) return now;
    return new Promise<ReceivedMessage[]>((resolve, reject) => {
      const done = (): void => {
        this.waiters.delete(tryTake);
        this.clock.clearTimer(timeout);
        signal?.removeEventListener('abort', onAbort);
      };
      const tryTake = (): void => {
        const got = this.take(max, visibilityS);
        if (got.length === 0) return;
        done();
        resolve(got);
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      const timeout = this.clock.setTimer(() => {
        done();
        resolve([]);
      }, waitMs);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(tryTake);
      this.armWake();
    });
  }

  /** Deletes the message when `handle` is its latest receipt handle; throws ReceiptHandleIsInvalid for a malformed one. */
  delete(handle: string): void {
    const h = decodeHandle(handle, this.name);
    const msg = this.messages.get(h.id);
    if (msg && msg.handleSeq === h.seq) this.messages.delete(h.id);
  }

  /** Approximate counts, as GetQueueAttributes reports them. */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.clock.now();
    let visible = 0;
    let inFlight = 0;
    let delayed = 0;
    for (const m of this.messages.values()) {
      if (m.visibleAt <= now) visible++;
      else if (m.receiveCount > 0) inFlight++;
      else delayed++;
    }
    return { visible, inFlight, delayed };
  }

  clear(): void {
    this.messages.clear();
    this.ready = [];
    this.readyHead = 0;
    this.hidden.clear();
  }

  private hide(msg: Stored): void {
    this.hidden.push({ at: msg.visibleAt, id: msg.id, seq: msg.handleSeq });
    this.armWake();
  }

  /** Moves messages whose hidden time has passed to the ready list. */
  private promote(now: number): void {
    for (let top = this.hidden.peek(); top && top.at <= now; top = this.hidden.peek()) {
      this.hidden.pop();
      const msg = this.messages.get(top.id);
      if (msg && msg.handleSeq === top.seq && msg.visibleAt === top.at) this.ready.push(msg.id);
    }
  }

  private take(max: number, visibilityS: number): ReceivedMessage[] {
    const now = this.clock.now();
    this.promote(now);
    const out: ReceivedMessage[] = [];
    while (out.length < max && this.readyHead < this.ready.length) {
      const id = this.ready[this.readyHead++]!;
      const msg = this.messages.get(id);
      if (!msg || msg.visibleAt > now) continue;
      if (now - msg.sentAt > this.settings.retentionS * 1000) {
        this.messages.delete(id);
        continue;
      }
      msg.receiveCount++;
      msg.firstReceiveAt ??= now;
      msg.handleSeq++;
      msg.visibleAt = now + visibilityS * 1000;
      this.hide(msg);
      out.push({
        MessageId: msg.id,
        ReceiptHandle: encodeHandle(this.name, msg.id, msg.handleSeq),
        MD5OfBody: msg.md5,
        Body: msg.body,
        Attributes: { SentTimestamp: String(msg.sentAt), ApproximateReceiveCount: String(msg.receiveCount), ApproximateFirstReceiveTimestamp: String(msg.firstReceiveAt) },
      });
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.readyHead);
      this.readyHead = 0;
    }
    return out;
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Keeps one timer at the earliest hidden message while long polls wait. */
  private armWake(): void {
    const top = this.hidden.peek();
    if (this.waiters.size === 0 || !top) return;
    if (this.wake && this.wake.at <= top.at) return;
    if (this.wake) this.clock.clearTimer(this.wake.timer);
    const at = top.at;
    this.wake = {
      at,
      timer: this.clock.setTimer(() => {
        this.wake = undefined;
        this.notify();
        this.armWake();
      }, at - this.clock.now()),
    };
  }
}

function encodeHandle(queue: string, id: string, seq: number): string {
  return Buffer.from(JSON.stringify([queue, id, seq])).toString('base64url');
}

function decodeHandle(handle: string, queue: string): { id: string; seq: number } {
  try {
    const v = JSON.parse(Buffer.from(handle, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v[0] === queue && typeof v[1] === 'string' && Number.isInteger(v[2])) return { id: v[1], seq: v[2] as number };
  } catch {
    // reported below
  }
  throw sqsError.receiptHandleIsInvalid(handle);
}
