/**
 * The desired store of the simulated world: a MemoryDesiredStore that can be wiped (desired-state
 * loss, as after a FLUSHALL), per-controller views that pass the controller's process gate, and
 * an observer of every write the store accepted (the status invariants read those).
 */
import type { Clock } from '../../src/common/clock.js';
import type { Rng } from '../../src/common/rng.js';
import { RedisUnavailableError } from '../../src/desired/errors.js';
import { MemoryDesiredStore, type MemoryStoreCheckpoint } from '../../src/desired/memory-store.js';
import type { SessionSpec, SessionStatus } from '../../src/desired/schema.js';
import type { DesiredSnapshot, DesiredStore, SessionEntry, SpecStore, StatusWriter } from '../../src/desired/types.js';
import type { WarmStore } from '../../src/desired/warm-schema.js';
import type { ProcessGate } from './process-gate.js';

export type ControllerStore = DesiredStore & StatusWriter & WarmStore;

/** A status write or purge the store accepted. */
export type AcceptedWrite =
  | { kind: 'status'; by: string; id: string; token: number; epoch: number; status: SessionStatus }
  | { kind: 'purge'; by: string; id: string; token: number; epoch: number; generation: number }
  /** A warm task handed to a session (the claim and the session's status, in one write). */
  | { kind: 'claim'; by: string; id: string; token: number; epoch: number; taskArn: string; status: SessionStatus }
  | { kind: 'release'; by: string; taskArn: string; token: number; epoch: number }
  | { kind: 'wipe'; epoch: number }
  /** The store went back `lagMs` (a failover to a lagging replica): later writes are lost. */
  | { kind: 'rollback'; epoch: number; lagMs: number };

/** How often (at most) the store keeps a copy of itself for rollbacks, ms of virtual time. */
const CHECKPOINT_EVERY_MS = 200;
/** How far back a rollback can go, ms (the schedule draws 0-3 s). */
const CHECKPOINT_HORIZON_MS = 5_000;

export interface WorldStoreOptions {
  clock: Clock;
  /** Draws which writes lose their reply (lostReplyRate). */
  rng: Rng;
  onWrite: (w: AcceptedWrite) => void;
  /** Mutation (fencing disabled): the store ignores the fencing token of every write. */
  ignoreFencing?: boolean;
  /** Mutation (unconditional status): the store ignores the spec generation a status was computed from. */
  ignoreStatusBasis?: boolean;
  /** Mutation: changes each session spec as controllers read it. */
  readSpec?: (spec: SessionSpec) => SessionSpec;
  /** False: keep no copies for rollbacks (a run without rollback faults, e.g. the soak, saves the copying). */
  checkpoints?: boolean;
}

export class WorldStore {
  private innerValue: MemoryDesiredStore;
  private epochValue = 0;
  /** Share of the controllers' writes that run but whose reply never comes (a command timeout). */
  lostReplyRate = 0;
  /** Copies of the store, oldest first, each taken just before a write at `at`. */
  private checkpoints: Array<{ at: number; cp: MemoryStoreCheckpoint }> = [];

  constructor(private readonly o: WorldStoreOptions) {
    this.innerValue = new MemoryDesiredStore({ clock: o.clock });
  }

  /** The current data set (replaced by `wipe`). */
  get inner(): MemoryDesiredStore {
    return this.innerValue;
  }

  get epoch(): number {
    return this.epochValue;
  }

  /** The gateway's side, always on the current data set; its writes can be rolled back too. */
  get gateway(): SpecStore {
    const inner = this.innerValue;
    return new Proxy(inner, {
      get: (target, key, receiver) => {
        const v = Reflect.get(target, key, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          this.checkpointBeforeWrite();
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  }

  /** The leader epoch the data set holds now (it differs from `epoch` after a rollback). */
  storedEpoch(): number | undefined {
    return this.innerValue.leaderEpoch();
  }

  /** Keeps a copy of the data set as it is before a write, at most every CHECKPOINT_EVERY_MS. */
  private checkpointBeforeWrite(): void {
    if (this.o.checkpoints === false) return;
    const now = this.o.clock.now();
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last && now - last.at < CHECKPOINT_EVERY_MS) return;
    this.checkpoints.push({ at: now, cp: this.innerValue.checkpoint() });
    while (this.checkpoints.length > 1 && this.checkpoints[1]!.at <= now - CHECKPOINT_HORIZON_MS) this.checkpoints.shift();
  }

  /**
   * A failover to a replica `lagMs` behind: the data set goes back to its copy from about `lagMs`
   * ago (every acknowledged write since is lost, the lease's epoch included); followers reconnect.
   * Returns the lag actually lost (0 when nothing was written in that time).
   */
  rollback(lagMs: number): number {
    const target = this.o.clock.now() - lagMs;
    const idx = this.checkpoints.findIndex((c) => c.at >= target);
    if (idx < 0) return 0;
    const { at, cp } = this.checkpoints[idx]!;
    this.checkpoints = this.checkpoints.slice(0, idx);
    this.innerValue.restore(cp);
    const lost = this.o.clock.now() - at;
    this.o.onWrite({ kind: 'rollback', epoch: this.epochValue, lagMs: lost });
    return lost;
  }

  /** A new leader term: writes with a lower token are fenced from now on. */
  setLeaderEpoch(epoch: number): void {
    this.checkpointBeforeWrite();
    this.epochValue = epoch;
    this.innerValue.setLeaderEpoch(epoch);
  }

  /** Loses every record (desired state, status, hints); followers see a reconnect. */
  wipe(): void {
    const old = this.innerValue;
    this.innerValue = new MemoryDesiredStore({ clock: this.o.clock });
    this.innerValue.setLeaderEpoch(this.epochValue);
    old.simulateReconnect();
    this.checkpoints = [];
    this.o.onWrite({ kind: 'wipe', epoch: this.epochValue });
  }

  /**
   * A controller's write: checkpointed (rollbacks), run, and, at `lostReplyRate`, its reply lost
   * after it ran (the caller sees a timeout and cannot know whether the write happened).
   */
  private async write<T>(operation: string, run: () => Promise<T>): Promise<T> {
    this.checkpointBeforeWrite();
    const out = await run();
    if (this.lostReplyRate > 0 && this.o.rng.next() < this.lostReplyRate) {
      throw new RedisUnavailableError(operation, { cause: new Error('Command timed out (the write ran; its reply was lost)') });
    }
    return out;
  }

  private seenEntry<E extends SessionEntry | undefined>(e: E): E {
    const f = this.o.readSpec;
    return f && e?.spec ? { ...e, spec: f(e.spec) } : e;
  }

  private seen(snap: DesiredSnapshot): DesiredSnapshot {
    if (!this.o.readSpec) return snap;
    return { ...snap, sessions: new Map([...snap.sessions].map(([id, e]) => [id, this.seenEntry(e)])) };
  }

  /** The store as controller `name` sees it: every call passes its process gate. */
  viewFor(name: string, gate: ProcessGate): ControllerStore {
    const tokenFor = (token: number): number => (this.o.ignoreFencing ? Number.MAX_SAFE_INTEGER : token);
    // Built as a variable, not returned as a literal: the store interfaces are growing (warm
    // pools), and a method the interface does not list yet must not fail the type check.
    const view = {
      readPool: (pool: string) => gate.run(() => this.innerValue.readPool(pool)),
      snapshot: () => gate.run(async () => this.seen(await this.innerValue.snapshot())),
      readSession: (id) => gate.run(async () => this.seenEntry(await this.innerValue.readSession(id))),
      followHints: (from, opts) => this.innerValue.followHints(from, opts),
      writeStatus: (id, status, token, basis) =>
        gate.run(() =>
          this.write(`writeStatus ${id}`, async () => {
            const out = await this.innerValue.writeStatus(id, status, tokenFor(token), this.o.ignoreStatusBasis ? undefined : basis);
            if (out.outcome === 'written') this.o.onWrite({ kind: 'status', by: name, id, token, epoch: this.epochValue, status });
            return out;
          }),
        ),
      purgeSession: (id, generation, token) =>
        gate.run(() =>
          this.write(`purgeSession ${id}`, async () => {
            const removed = await this.innerValue.purgeSession(id, generation, tokenFor(token));
            if (removed) this.o.onWrite({ kind: 'purge', by: name, id, token, epoch: this.epochValue, generation });
            return removed;
          }),
        ),
      claimWarmTask: (id, claim, candidates, token) =>
        gate.run(() =>
          this.write(`claimWarmTask ${id}`, async () => {
            const out = await this.innerValue.claimWarmTask(id, claim, candidates, tokenFor(token));
            if (out.outcome === 'claimed') {
              const status = candidates.find((c) => c.taskArn === out.taskArn)!.status;
              this.o.onWrite({ kind: 'claim', by: name, id, token, epoch: this.epochValue, taskArn: out.taskArn, status });
            }
            return out;
          }),
        ),
      releaseWarmClaim: (taskArn, token) =>
        gate.run(() =>
          this.write(`releaseWarmClaim ${taskArn}`, async () => {
            await this.innerValue.releaseWarmClaim(taskArn, tokenFor(token));
            this.o.onWrite({ kind: 'release', by: name, taskArn, token, epoch: this.epochValue });
          }),
        ),
      warmClaims: () => gate.run(() => this.innerValue.warmClaims()),
      reserveForStop: (taskArn, at, token) => gate.run(() => this.write(`reserveForStop ${taskArn}`, () => this.innerValue.reserveForStop(taskArn, at, tokenFor(token)))),
      readPoolStatus: (pool) => gate.run(() => this.innerValue.readPoolStatus(pool)),
      writePoolStatus: (pool, status, token) => gate.run(() => this.write(`writePoolStatus ${pool}`, () => this.innerValue.writePoolStatus(pool, status, tokenFor(token)))),
    } satisfies Omit<ControllerStore, 'readPool'> & { readPool: (pool: string) => Promise<unknown> };
    return view;
  }
}
