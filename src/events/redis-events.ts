/**
 * Session events in Redis: one capped list per session, newest first, at
 * `{<prefix>}:session:<id>:events` (the store's hash tag, so it lives in the same slot as the
 * session's spec and status). Entries are JSON `SessionEvent`s.
 *
 * Writes never slow a reconcile: `record` only buffers; a timer flushes the buffer as one MULTI
 * (LPUSH + LTRIM + PEXPIRE per session touched; a repeat of the newest event is an LSET of the
 * head with `count` + 1). A failed flush is reported to `onError` and dropped: history is for
 * people, not for correctness. The buffer is bounded; overflow is dropped and counted.
 */
import type { Cluster, Redis } from 'ioredis';
import { RealClock, type Clock, type TimerHandle } from '../common/clock.js';
import { DEFAULT_MAX_EVENTS_PER_SESSION, mergeEvent, type SessionEvent, type SessionEventInput, type SessionEventReader, type SessionEventSink } from './types.js';

/** The events list of a session, under the store's hash tag (see src/desired/keys.ts). */
export function sessionEventsKey(prefix: string, sessionId: string): string {
  return `{${prefix}}:session:${sessionId}:events`;
}

export interface RedisSessionEventsOptions {
  redis: Redis | Cluster;
  /** The store's key prefix (hash tag), e.g. `esr`. */
  prefix: string;
  clock?: Clock;
  /** Events kept per session. Default 50. */
  maxPerSession?: number;
  /** Lists expire this long after their last write, ms (purged sessions leave nothing behind). Default 24 h. */
  ttlMs?: number;
  /** Buffering delay before a flush, ms. Default 100. */
  flushDelayMs?: number;
  /** Most buffered writes; more are dropped. Default 10_000. */
  maxPending?: number;
  /** A flush failed or events were dropped. */
  onError?: (err: Error, dropped: number) => void;
}

interface PendingWrite {
  sessionId: string;
  event: SessionEvent;
  /** True: LSET the head (a repeat of the newest entry); false: LPUSH a new entry. */
  replaceHead: boolean;
}

/** Remembered newest events, for dedupe without a read; bounded (oldest forgotten first). */
const MAX_HEADS = 10_000;

export class RedisSessionEvents implements SessionEventSink, SessionEventReader {
  private readonly clock: Clock;
  private readonly max: number;
  private readonly ttlMs: number;
  private readonly flushDelayMs: number;
  private readonly maxPending: number;
  private readonly heads = new Map<string, SessionEvent>();
  private pending: PendingWrite[] = [];
  private readonly lastIndex = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RedisSessionEventsOptions) {
    this.clock = opts.clock ?? new RealClock();
    this.max = opts.maxPerSession ?? DEFAULT_MAX_EVENTS_PER_SESSION;
    this.ttlMs = opts.ttlMs ?? 24 * 3600_000;
    this.flushDelayMs = opts.flushDelayMs ?? 100;
    this.maxPending = opts.maxPending ?? 10_000;
  }

  record(sessionId: string, input: SessionEventInput): void {
    const { event, repeat } = mergeEvent(this.heads.get(sessionId), input, this.clock.now());
    this.heads.delete(sessionId);
    this.heads.set(sessionId, event);
    if (this.heads.size > MAX_HEADS) this.heads.delete(this.heads.keys().next().value as string);
    const at = this.lastIndex.get(sessionId);
    if (repeat && at !== undefined) {
      this.pending[at] = { ...this.pending[at]!, event };
    } else {
      if (this.pending.length >= this.maxPending) {
        this.opts.onError?.(new Error(`session events: buffer of ${this.maxPending} writes is full; event for ${sessionId} dropped`), 1);
        return;
      }
      this.lastIndex.set(sessionId, this.pending.length);
      this.pending.push({ sessionId, event, replaceHead: repeat });
    }
    this.timer ??= this.clock.setTimer(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushDelayMs);
  }

  /** Writes everything buffered now; resolves when written (or failed and reported). */
  flush(): Promise<void> {
    if (this.timer) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    const batch = this.pending;
    this.pending = [];
    this.lastIndex.clear();
    if (batch.length === 0) return this.inFlight;
    const write = this.write(batch);
    this.inFlight = this.inFlight.then(() => write);
    return this.inFlight;
  }

  private async write(batch: PendingWrite[]): Promise<void> {
    const multi = this.opts.redis.multi();
    for (const w of batch) {
      const key = sessionEventsKey(this.opts.prefix, w.sessionId);
      const json = JSON.stringify(w.event);
      if (w.replaceHead) multi.lset(key, 0, json);
      else multi.lpush(key, json).ltrim(key, 0, this.max - 1);
      multi.pexpire(key, this.ttlMs);
    }
    try {
      await multi.exec();
    } catch (err) {
      this.opts.onError?.(new Error(`session events: writing ${batch.length} events failed: ${(err as Error).message}`, { cause: err }), batch.length);
    }
  }

  /** Newest first; entries that do not parse are skipped. */
  async list(sessionId: string, limit = this.max): Promise<SessionEvent[]> {
    const raw = await this.opts.redis.lrange(sessionEventsKey(this.opts.prefix, sessionId), 0, Math.max(0, limit - 1));
    const out: SessionEvent[] = [];
    for (const item of raw) {
      try {
        const e = JSON.parse(item) as SessionEvent;
        if (typeof e.time === 'number' && typeof e.reason === 'string') out.push(e);
      } catch {
        // A foreign or truncated entry: not ours to interpret.
      }
    }
    return out;
  }

  /** Flushes what is buffered and stops the timer. The Redis connection stays open (not ours). */
  async close(): Promise<void> {
    await this.flush();
  }
}
