/**
 * The operator's side of the desired-state brake, in Redis (under the store's hash tag):
 * - `{p}:brake:release` — a fresh random id written by `reconciler brake release`; every replica
 *   polls it and releases its brake when the id changes while the brake is engaged;
 * - `{p}:brake:state` — the brake state JSON as last published by the leader (informational, for
 *   `reconciler brake status`; it expires so a dead replica's view does not linger).
 *
 * Every replica runs a brake (followers sync too), but only the leader publishes. The leader
 * publishes on every change, and at each poll whenever the published state is not its current
 * one: the brake may have changed while this replica was between terms (a FLUSHALL also wipes
 * the lease, so the brake engages at the sync that sees the wipe, often while the leader is
 * re-acquiring), or another replica published last. An unchanged state is rewritten every
 * BRAKE_STATE_REFRESH_MS so it does not expire while it holds.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { RetryPolicy, type Backoff } from '../../common/retry-policy.js';
import { mathRandom, type Rng } from '../../common/rng.js';
import { keyLayout } from '../../desired/keys.js';
import type { RedisLike } from '../../desired/lua.js';
import type { BrakeState, DesiredStateBrake } from './desired-state-brake.js';

/** How long a published brake state stays readable without being refreshed, ms. */
export const BRAKE_STATE_TTL_MS = 10 * 60_000;
/** How often the leader rewrites an unchanged published state, ms (well inside the TTL). */
export const BRAKE_STATE_REFRESH_MS = BRAKE_STATE_TTL_MS / 4;

export function brakeKeys(prefix: string): { release: string; state: string } {
  const t = `{${keyLayout(prefix).prefix}}`;
  return { release: `${t}:brake:release`, state: `${t}:brake:state` };
}

export interface BrakeReleaseRecord {
  id: string;
  at: number;
  by: string;
}

/** Writes a release request; every replica with an engaged brake releases it within one poll. */
export async function requestBrakeRelease(redis: RedisLike, prefix: string, by: string, now = Date.now()): Promise<BrakeReleaseRecord> {
  const record = { id: randomUUID(), at: now, by };
  await redis.set(brakeKeys(prefix).release, JSON.stringify(record));
  return record;
}

export interface PublishedBrakeState {
  state: BrakeState;
  replica: string;
  at: number;
}

/** Reads the brake state a replica last published (undefined when none is). */
export async function readPublishedBrakeState(redis: RedisLike, prefix: string): Promise<PublishedBrakeState | undefined> {
  const raw = await redis.get(brakeKeys(prefix).state);
  return raw ? (JSON.parse(raw) as PublishedBrakeState) : undefined;
}

export interface BrakeReleaseWatcherOptions {
  redis: RedisLike;
  prefix: string;
  clock: Clock;
  brake: DesiredStateBrake;
  /** Poll period, ms (default 1000). */
  pollMs?: number;
  /** Draws the backoff after a failed poll (Redis unreachable); default Math.random. */
  rng?: Rng;
  /** Who publishes the state (host:pid). */
  replica: string;
  /** Only the leader publishes the state (followers' views are not authoritative). */
  shouldPublish?: () => boolean;
  onRelease?: (record: BrakeReleaseRecord | undefined) => void;
  onError?: (err: unknown) => void;
}

/** Polls for operator releases and, while leading, keeps the published brake state current. */
export class BrakeReleaseWatcher {
  private lastSeen: string | null | undefined;
  /** What this replica last published in its current stretch of leadership, and when (clock ms). */
  private published: { state: BrakeState; at: number } | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly unsubscribe: () => void;
  /** Failed polls in a row: the next poll waits the retry policy's backoff instead of `pollMs`. */
  private readonly backoff: Backoff;
  private lastPollFailed = false;

  constructor(private readonly o: BrakeReleaseWatcherOptions) {
    const pollMs = o.pollMs ?? 1000;
    this.backoff = new RetryPolicy({ baseMs: pollMs, capMs: Math.max(pollMs, 30_000), rng: o.rng ?? mathRandom }).backoff();
    this.unsubscribe = o.brake.onChange((s) => void this.publish(s));
  }

  start(): void {
    this.stopped = false;
    const tick = (): void => {
      const delay = this.lastPollFailed ? this.backoff.next() : (this.o.pollMs ?? 1000);
      this.timer = this.o.clock.setTimer(() => void this.poll().finally(() => !this.stopped && tick()), delay);
    };
    void this.poll().finally(tick);
  }

  /**
   * One poll: releases the brake when a new release request appeared while it is engaged; then,
   * while leading, publishes the state unless this replica already published it recently.
   */
  async poll(): Promise<void> {
    await this.pollRelease();
    if (!this.lastPollFailed) await this.refresh(); // Redis is unreachable: the next poll publishes
  }

  /**
   * Publishes the current state now when this replica leads (call on becoming leader: what
   * another replica published, or nobody did, is not this leader's view).
   */
  async republish(): Promise<void> {
    this.published = undefined;
    await this.refresh();
  }

  private leads(): boolean {
    return !this.o.shouldPublish || this.o.shouldPublish();
  }

  private async refresh(): Promise<void> {
    if (!this.leads()) {
      this.published = undefined;
      return;
    }
    const state = this.o.brake.state();
    if (this.published?.state === state && this.o.clock.now() - this.published.at < BRAKE_STATE_REFRESH_MS) return;
    await this.publish(state);
  }

  private async pollRelease(): Promise<void> {
    let raw: string | null;
    try {
      raw = await this.o.redis.get(brakeKeys(this.o.prefix).release);
    } catch (err) {
      this.lastPollFailed = true;
      this.o.onError?.(err);
      return;
    }
    this.lastPollFailed = false;
    this.backoff.reset();
    const first = this.lastSeen === undefined;
    const changed = !first && raw !== null && raw !== this.lastSeen;
    this.lastSeen = raw;
    if (changed && this.o.brake.engaged()) {
      let record: BrakeReleaseRecord | undefined;
      try {
        record = JSON.parse(raw!) as BrakeReleaseRecord;
      } catch {
        record = undefined;
      }
      this.o.brake.release();
      this.o.onRelease?.(record);
    }
  }

  private async publish(state: BrakeState): Promise<void> {
    if (!this.leads()) {
      this.published = undefined;
      return;
    }
    const at = this.o.clock.now();
    const body: PublishedBrakeState = { state, replica: this.o.replica, at };
    try {
      await this.o.redis.set(brakeKeys(this.o.prefix).state, JSON.stringify(body), 'PX', BRAKE_STATE_TTL_MS);
      if (this.o.brake.state() === state) this.published = { state, at };
    } catch (err) {
      this.o.onError?.(err); // the next poll tries again
    }
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer) this.o.clock.clearTimer(this.timer);
  }
}
