/**
 * Leader election on a Redis lease (controller-runtime's leaderelection, on Redis):
 *
 * - a follower tries to acquire every `retryMs`; a leader renews every `retryMs`; after an
 *   acquire that Redis did not answer, a follower waits a backoff of the project's retry policy
 *   instead (full jitter, ceiling `retryMs` doubling up to `leaseMs`), so an outage of Redis is
 *   not polled at a fixed interval;
 * - a leader that could not renew for `renewDeadlineMs` steps down on its own (before the lease,
 *   `leaseMs`, can expire in Redis and a follower take over);
 * - every acquisition starts a new term with a higher fencing epoch (lease-scripts.ts);
 *   `fencingToken()` is that epoch, carried by every status write;
 * - with replica acknowledgement on (`replicaAck`, default: the connection's REDIS_WAIT_REPLICAS),
 *   a term counts only once that many replicas hold its epoch: a failover that loses writes can
 *   then not roll the store back to an older term this replica would act beside.
 *
 * Time: the local view of the lease is measured from when the acquire/renew command was *sent*,
 * so it never outlives the lease in Redis. `isLeader()` and `remainingLeaseMs()` check the clock
 * on every call: a process that was paused (GC, SIGSTOP) sees at once that it is no longer the
 * leader, before any timer of its own fires. Units: milliseconds.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '../../common/clock.js';
import { RetryPolicy, type Backoff } from '../../common/retry-policy.js';
import { mathRandom, type Rng } from '../../common/rng.js';
import type { RedisLike } from '../../desired/lua.js';
import { awaitReplicas, replicaAckOf, type ReplicaAck } from '../../desired/redis-durability.js';
import { leaseKeys, withLeaseScripts, type LeaseScripts } from './lease-scripts.js';

export interface LeaderTimings {
  /** How long a lease lasts without renewal, ms (controller-runtime LeaseDuration, default 15 s). */
  leaseMs: number;
  /** A leader that has not renewed for this long steps down, ms (RenewDeadline, default 10 s). */
  renewDeadlineMs: number;
  /** Pause between acquire/renew attempts, ms (RetryPeriod, default 2 s). */
  retryMs: number;
}

export const DEFAULT_LEADER_TIMINGS: Readonly<LeaderTimings> = Object.freeze({ leaseMs: 15_000, renewDeadlineMs: 10_000, retryMs: 2_000 });

/** The controller-runtime rule: lease > renew deadline > retry. Returns every problem found. */
export function leaderTimingProblems(t: LeaderTimings): string[] {
  const problems: string[] = [];
  if (!(t.leaseMs > t.renewDeadlineMs)) problems.push(`leader lease (${t.leaseMs} ms) must be longer than the renew deadline (${t.renewDeadlineMs} ms)`);
  if (!(t.renewDeadlineMs > t.retryMs)) problems.push(`leader renew deadline (${t.renewDeadlineMs} ms) must be longer than the retry period (${t.retryMs} ms)`);
  return problems;
}

export type LeaderState = 'idle' | 'follower' | 'leader' | 'stopped';

/** One change of leadership, for logs, events and metrics. */
export interface LeadershipChange {
  leader: boolean;
  /** The term's epoch (the new one when elected, the lost one otherwise). */
  epoch: number;
  reason: 'elected' | 'lease-lost' | 'epoch-moved' | 'renew-deadline' | 'released';
  /** Who holds the lease now when known (their token: `host:pid/random`). */
  holder?: string;
  at: number;
}

export interface LeaderElectorOptions {
  redis: RedisLike;
  /** The store's key prefix: the lease lives under the same hash tag as the epoch. */
  prefix: string;
  clock: Clock;
  timings?: Partial<LeaderTimings>;
  /** Human part of the holder token; default `hostname:pid`. */
  identity?: string;
  /** Replicas that must hold a new term's epoch before it is acted on; default: the connection's rule. */
  replicaAck?: ReplicaAck;
  /** Draws the backoff after a failed acquire; default Math.random. */
  rng?: Rng;
  /** Redis failures of acquire/renew/release (they are retried; leadership decays by the rules above). */
  onError?: (where: 'acquire' | 'renew' | 'release', err: unknown) => void;
}

export class LeaderElector {
  readonly timings: LeaderTimings;
  /** This replica's holder token (unique per process). */
  readonly token: string;
  private readonly redis: RedisLike & LeaseScripts;
  private readonly keys: { lease: string; epoch: string };
  private readonly clock: Clock;
  private readonly replicaAck: ReplicaAck;
  private state: LeaderState = 'idle';
  private epoch = 0;
  /** Highest epoch seen in Redis: a new term never gets an epoch at or below it. */
  private highestEpoch = 0;
  private renewedAt = 0;
  private expiresAt = 0;
  private known = false;
  private holder: string | undefined;
  private timer: TimerHandle | undefined;
  private halted = false;
  /** Holds the lease for a term that replicas have not acknowledged (not acted on). */
  private holdsUnacknowledged = false;
  private attempt: Promise<void> | undefined;
  /** Acquire attempts Redis did not answer, in a row (the follower's backoff). */
  private readonly acquireBackoff: Backoff;
  private lastAcquireFailed = false;
  private readonly listeners = new Set<(c: LeadershipChange) => void>();

  constructor(private readonly o: LeaderElectorOptions) {
    this.timings = { ...DEFAULT_LEADER_TIMINGS, ...o.timings };
    const problems = leaderTimingProblems(this.timings);
    if (problems.length > 0) throw new RangeError(`invalid leader election timings: ${problems.join('; ')}`);
    this.redis = withLeaseScripts(o.redis);
    this.keys = leaseKeys(o.prefix);
    this.acquireBackoff = new RetryPolicy({ baseMs: this.timings.retryMs, capMs: this.timings.leaseMs, rng: o.rng ?? mathRandom }).backoff();
    this.clock = o.clock;
    this.replicaAck = o.replicaAck ?? replicaAckOf(o.redis);
    this.token = `${o.identity ?? `${hostname()}:${process.pid}`}/${randomUUID()}`;
  }

  /** True while this replica holds a lease it renewed within the renew deadline. */
  isLeader(): boolean {
    return this.state === 'leader' && this.clock.now() < this.renewedAt + this.timings.renewDeadlineMs;
  }

  /** Epoch of the current (or last) term; 0 before the first term. */
  fencingToken(): number {
    return this.epoch;
  }

  /** How long the lease surely still lasts in Redis, ms; 0 when not the leader. */
  remainingLeaseMs(): number {
    return this.isLeader() ? Math.max(0, this.expiresAt - this.clock.now()) : 0;
  }

  /** Whether the last attempt got an answer from Redis (readiness: we know who leads). */
  leadershipKnown(): boolean {
    return this.known && this.state !== 'stopped';
  }

  /** `leader_election_master_status`: 1 while leader, else 0. */
  masterStatus(): 0 | 1 {
    return this.isLeader() ? 1 : 0;
  }

  /** The lease holder's token as last seen (ours while leader). */
  currentHolder(): string | undefined {
    return this.isLeader() ? this.token : this.holder;
  }

  getState(): LeaderState {
    return this.state;
  }

  /** Subscribes to leadership changes; returns the unsubscribe function. */
  onChange(listener: (c: LeadershipChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Makes the first attempt (awaited, so leadership is known on return) and starts the loop. */
  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'follower';
    await this.tryOnce();
    this.schedule();
  }

  private schedule(): void {
    if (this.halted || this.state === 'stopped') return;
    // A leader renews at its period whatever happens (the renew deadline bounds its failures).
    const backingOff = this.state !== 'leader' && this.lastAcquireFailed;
    this.timer = this.clock.setTimer(() => {
      void this.tryOnce().finally(() => this.schedule());
    }, backingOff ? this.acquireBackoff.next() : this.timings.retryMs);
  }

  /** One step: renew when leading, acquire otherwise. Concurrent calls share one attempt. */
  tryOnce(): Promise<void> {
    if (!this.attempt) {
      this.attempt = this.step().finally(() => {
        this.attempt = undefined;
      });
    }
    return this.attempt;
  }

  private async step(): Promise<void> {
    if (this.halted || this.state === 'stopped' || this.state === 'idle') return;
    if (this.state === 'leader' && !this.isLeader()) this.stepDown('renew-deadline');
    return this.state === 'leader' ? this.renew() : this.acquire();
  }

  private async acquire(): Promise<void> {
    const sentAt = this.clock.now();
    let reply: Array<number | string>;
    try {
      reply = await this.redis.esrLeaseAcquire(this.keys.lease, this.keys.epoch, this.token, this.timings.leaseMs, this.highestEpoch + 1);
    } catch (err) {
      this.known = false;
      this.lastAcquireFailed = true;
      this.o.onError?.('acquire', err);
      return;
    }
    this.known = true;
    this.lastAcquireFailed = false;
    this.acquireBackoff.reset();
    const acquired = Number(reply[0]) === 1;
    const epoch = acquired ? Number(reply[1]) : NaN;
    if (acquired) this.highestEpoch = Math.max(this.highestEpoch, epoch);
    const acknowledged = acquired && (await this.termAcknowledged(epoch));
    if (this.halted || this.state !== 'follower') {
      // Stopped meanwhile: give back a lease this attempt may have taken.
      if (acquired) await this.redis.esrLeaseRelease(this.keys.lease, this.token).catch(() => undefined);
      return;
    }
    this.holdsUnacknowledged = acquired && !acknowledged;
    if (acquired && !acknowledged) return; // holds the lease, does not act; the next attempt starts a new term
    if (acquired) {
      this.epoch = epoch;
      this.renewedAt = sentAt;
      this.expiresAt = sentAt + this.timings.leaseMs;
      this.holder = this.token;
      this.state = 'leader';
      this.emit({ leader: true, epoch: this.epoch, reason: 'elected', holder: this.token, at: this.clock.now() });
      return;
    }
    this.holder = String(reply[1]);
    const seen = Number(reply[3]);
    if (Number.isSafeInteger(seen)) this.highestEpoch = Math.max(this.highestEpoch, seen);
  }

  /** Whether enough replicas hold the new term's epoch (always, when acknowledgement is off). */
  private async termAcknowledged(epoch: number): Promise<boolean> {
    const { replicas, timeoutMs } = this.replicaAck;
    if (replicas <= 0) return true;
    try {
      const acked = await awaitReplicas(this.redis, this.keys.epoch, this.replicaAck);
      if (acked >= replicas) return true;
      this.o.onError?.('acquire', new Error(`term ${epoch} not acted on: ${acked} of ${replicas} required replicas acknowledged its epoch within ${timeoutMs} ms (REDIS_WAIT_REPLICAS)`));
    } catch (err) {
      this.o.onError?.('acquire', err);
    }
    return false;
  }

  private async renew(): Promise<void> {
    const sentAt = this.clock.now();
    let reply: number;
    try {
      reply = Number(await this.redis.esrLeaseRenew(this.keys.lease, this.keys.epoch, this.token, this.timings.leaseMs, String(this.epoch)));
    } catch (err) {
      this.known = false;
      this.o.onError?.('renew', err);
      if (this.state === 'leader' && !this.isLeader()) this.stepDown('renew-deadline');
      return;
    }
    this.known = true;
    if (this.state !== 'leader') return;
    if (reply === 1) {
      this.renewedAt = sentAt;
      this.expiresAt = sentAt + this.timings.leaseMs;
      return;
    }
    this.stepDown(reply === 0 ? 'lease-lost' : 'epoch-moved');
  }

  private stepDown(reason: LeadershipChange['reason']): void {
    if (this.state !== 'leader') return;
    this.state = 'follower';
    this.holder = undefined;
    this.emit({ leader: false, epoch: this.epoch, reason, at: this.clock.now() });
  }

  /**
   * Gives the lease up at once (token-checked), so a follower takes over without waiting for
   * it to expire. Leadership ends locally before Redis is asked. Returns whether Redis deleted it.
   */
  async release(): Promise<boolean> {
    if (this.state !== 'leader') return false;
    this.stepDown('released');
    try {
      return Number(await this.redis.esrLeaseRelease(this.keys.lease, this.token)) === 1;
    } catch (err) {
      this.o.onError?.('release', err);
      return false;
    }
  }

  /** Stops the loop and releases the lease when held. Idempotent. */
  async stop(): Promise<void> {
    this.halted = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    await this.attempt?.catch(() => undefined);
    if (this.state === 'leader') await this.release();
    else if (this.holdsUnacknowledged) await this.redis.esrLeaseRelease(this.keys.lease, this.token).catch(() => undefined);
    this.holdsUnacknowledged = false;
    this.state = 'stopped';
  }

  private emit(change: LeadershipChange): void {
    for (const l of this.listeners) {
      try {
        l(change);
      } catch {
        // a listener's failure must not break the election loop
      }
    }
  }
}
