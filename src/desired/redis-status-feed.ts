/**
 * Push-based status watching over Redis pub/sub. Every fenced status write PUBLISHes the new
 * JSON on `{p}:status:<id>` inside the same Lua script, so a watcher learns of a write from that
 * one message, without polling.
 *
 * Order of a watch: SUBSCRIBE, then read the current status and deliver it — unless a message
 * already arrived (it is at least as new). After the subscriber reconnects, ioredis
 * resubscribes and every watched status is read again (messages sent while disconnected are
 * lost by pub/sub design). A watcher may see an older value once after a newer one when a
 * write races the initial read; the newest value is always delivered last.
 *
 * A SUBSCRIBE that fails does not fail the watch when the status can still be read: the watch
 * delivers the current status and subscribes again on the retry policy's backoff, reading the
 * status once more when it succeeds (the gateway's wait re-reads meanwhile). Subscriptions fail
 * without Redis being down: ioredis 5 can fail a subscriber connection's ready check when a
 * SUBSCRIBE is written while it connects (redis/ioredis#2037), rejecting every queued SUBSCRIBE
 * with "Connection in subscriber mode"; in a Cluster that connection is ioredis's own.
 */
import { Cluster, type Redis } from 'ioredis';
import { RealClock, type Clock, type TimerHandle } from '../common/clock.js';
import { RetryPolicy, type Backoff } from '../common/retry-policy.js';
import { mathRandom, type Rng } from '../common/rng.js';
import { decodeSessionStatus, type Decoded } from './decode.js';
import { ClientClosedError } from './errors.js';
import type { KeyLayout } from './keys.js';
import type { RedisLike } from './lua.js';
import type { SessionStatus } from './schema.js';
import type { StatusListener } from './types.js';

interface Watcher {
  id: string;
  listener: StatusListener;
  gotMessage: boolean;
}

/** Backoff of a failed SUBSCRIBE, ms: the first retry within 100 ms, then doubling up to 5 s. */
export const RESUBSCRIBE_BASE_MS = 100;
export const RESUBSCRIBE_CAP_MS = 5000;

export class RedisStatusFeed {
  private sub: RedisLike | undefined;
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** Channels whose SUBSCRIBE failed, with the timer of the next attempt. */
  private readonly resubscribing = new Map<string, TimerHandle>();
  private readonly policy: RetryPolicy;
  private readyCount = 0;
  private closed = false;

  constructor(
    private readonly base: RedisLike,
    private readonly keys: KeyLayout,
    private readonly readStatus: (id: string) => Promise<Decoded<SessionStatus>>,
    private readonly clock: Clock = new RealClock(),
    rng: Rng = mathRandom,
  ) {
    this.policy = new RetryPolicy({ baseMs: RESUBSCRIBE_BASE_MS, capMs: RESUBSCRIBE_CAP_MS, rng });
  }

  private subscriber(): RedisLike {
    if (this.sub) return this.sub;
    const sub =
      this.base instanceof Cluster ? this.base.duplicate() : (this.base as Redis).duplicate({ connectionName: `esr-status-${this.keys.prefix}` });
    sub.on('error', () => undefined); // reconnects on its own; reads report unavailability
    sub.on('ready', () => {
      this.readyCount++;
      if (this.readyCount > 1) void this.refreshAll();
    });
    sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.sub = sub;
    return sub;
  }

  private onMessage(channel: string, message: string): void {
    const set = this.watchers.get(channel);
    if (!set) return;
    const d = message === '' ? ({ kind: 'absent' } as const) : decodeSessionStatus(message);
    for (const w of set) {
      w.gotMessage = true;
      deliver(w, d);
    }
  }

  private async refreshAll(): Promise<void> {
    for (const set of this.watchers.values()) await this.refresh(set);
  }

  private async refresh(set: Set<Watcher>): Promise<void> {
    for (const w of set) {
      try {
        deliver(w, await this.readStatus(w.id));
      } catch {
        // still unavailable: the next reconnect (or the waiter's own re-read) tries again
      }
    }
  }

  /** Subscribes `channel` again after `backoff`'s delay, until it succeeds or nobody watches it. */
  private resubscribe(channel: string, backoff: Backoff): void {
    if (this.closed || !this.watchers.has(channel) || this.resubscribing.has(channel)) return;
    const attempt = (): void => {
      this.resubscribing.delete(channel);
      const set = this.watchers.get(channel);
      if (this.closed || !set) return;
      this.subscriber().subscribe(channel).then(
        () => this.refresh(set), // messages published while unsubscribed are lost: read once more
        () => this.resubscribe(channel, backoff),
      );
    };
    this.resubscribing.set(channel, this.clock.setTimer(attempt, backoff.next()));
  }

  private stopResubscribing(channel: string): void {
    const timer = this.resubscribing.get(channel);
    if (timer) this.clock.clearTimer(timer);
    this.resubscribing.delete(channel);
  }

  /** Subscribes, delivers the current status, and returns the unsubscribe function. */
  async watch(id: string, listener: StatusListener): Promise<() => Promise<void>> {
    if (this.closed) throw new ClientClosedError(`watchStatus ${id}`);
    const channel = this.keys.statusChannel(id);
    const w: Watcher = { id, listener, gotMessage: false };
    let set = this.watchers.get(channel);
    const sub = this.subscriber();
    if (!set) {
      set = new Set();
      this.watchers.set(channel, set);
    }
    set.add(w);
    const unsubscribe = async (): Promise<void> => {
      const s = this.watchers.get(channel);
      if (!s?.delete(w) || s.size > 0) return;
      this.watchers.delete(channel);
      this.stopResubscribing(channel);
      await sub.unsubscribe(channel).catch(() => undefined);
    };
    try {
      await sub.subscribe(channel).catch(() => this.resubscribe(channel, this.policy.backoff()));
      const current = await this.readStatus(id); // unreadable: Redis is down, the watch fails
      if (!w.gotMessage) deliver(w, current);
    } catch (err) {
      await unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  /** Drops every watch and the subscriber connection; later watches reject (nothing is reopened). */
  close(): void {
    this.closed = true;
    for (const channel of [...this.resubscribing.keys()]) this.stopResubscribing(channel);
    this.watchers.clear();
    this.sub?.disconnect();
    this.sub = undefined;
  }
}

function deliver(w: Watcher, d: Decoded<SessionStatus>): void {
  if (d.kind === 'ok') w.listener(d.value);
  else if (d.kind === 'absent') w.listener(undefined);
  else w.listener(undefined, d.invalid);
}
