/**
 * The desired store of the simulated world: a MemoryDesiredStore that can be wiped (desired-state
 * loss, as after a FLUSHALL), per-controller views that pass the controller's process gate, and
 * an observer of every write the store accepted (the status invariants read those).
 */
import type { Clock } from '../../src/common/clock.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import type { DesiredStore, SpecStore, StatusWriter } from '../../src/desired/types.js';
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
  | { kind: 'wipe'; epoch: number };

export interface WorldStoreOptions {
  clock: Clock;
  onWrite: (w: AcceptedWrite) => void;
  /** Mutation (fencing disabled): the store ignores the fencing token of every write. */
  ignoreFencing?: boolean;
  /** Mutation (unconditional status): the store ignores the spec generation a status was computed from. */
  ignoreStatusBasis?: boolean;
}

export class WorldStore {
  private innerValue: MemoryDesiredStore;
  private epochValue = 0;

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

  /** The gateway's side, always on the current data set. */
  get gateway(): SpecStore {
    return this.innerValue;
  }

  /** A new leader term: writes with a lower token are fenced from now on. */
  setLeaderEpoch(epoch: number): void {
    this.epochValue = epoch;
    this.innerValue.setLeaderEpoch(epoch);
  }

  /** Loses every record (desired state, status, hints); followers see a reconnect. */
  wipe(): void {
    const old = this.innerValue;
    this.innerValue = new MemoryDesiredStore({ clock: this.o.clock });
    this.innerValue.setLeaderEpoch(this.epochValue);
    old.simulateReconnect();
    this.o.onWrite({ kind: 'wipe', epoch: this.epochValue });
  }

  /** The store as controller `name` sees it: every call passes its process gate. */
  viewFor(name: string, gate: ProcessGate): ControllerStore {
    const tokenFor = (token: number): number => (this.o.ignoreFencing ? Number.MAX_SAFE_INTEGER : token);
    // Built as a variable, not returned as a literal: the store interfaces are growing (warm
    // pools), and a method the interface does not list yet must not fail the type check.
    const view = {
      readPool: (pool: string) => gate.run(() => this.innerValue.readPool(pool)),
      snapshot: () => gate.run(() => this.innerValue.snapshot()),
      readSession: (id) => gate.run(() => this.innerValue.readSession(id)),
      followHints: (from, opts) => this.innerValue.followHints(from, opts),
      writeStatus: (id, status, token, basis) =>
        gate.run(async () => {
          const out = await this.innerValue.writeStatus(id, status, tokenFor(token), this.o.ignoreStatusBasis ? undefined : basis);
          if (out.outcome === 'written') this.o.onWrite({ kind: 'status', by: name, id, token, epoch: this.epochValue, status });
          return out;
        }),
      purgeSession: (id, generation, token) =>
        gate.run(async () => {
          const removed = await this.innerValue.purgeSession(id, generation, tokenFor(token));
          if (removed) this.o.onWrite({ kind: 'purge', by: name, id, token, epoch: this.epochValue, generation });
          return removed;
        }),
      claimWarmTask: (id, claim, candidates, token) =>
        gate.run(async () => {
          const out = await this.innerValue.claimWarmTask(id, claim, candidates, tokenFor(token));
          if (out.outcome === 'claimed') {
            const status = candidates.find((c) => c.taskArn === out.taskArn)!.status;
            this.o.onWrite({ kind: 'claim', by: name, id, token, epoch: this.epochValue, taskArn: out.taskArn, status });
          }
          return out;
        }),
      releaseWarmClaim: (taskArn, token) =>
        gate.run(async () => {
          await this.innerValue.releaseWarmClaim(taskArn, tokenFor(token));
          this.o.onWrite({ kind: 'release', by: name, taskArn, token, epoch: this.epochValue });
        }),
      warmClaims: () => gate.run(() => this.innerValue.warmClaims()),
      reserveForStop: (taskArn, at, token) => gate.run(() => this.innerValue.reserveForStop(taskArn, at, tokenFor(token))),
      readPoolStatus: (pool) => gate.run(() => this.innerValue.readPoolStatus(pool)),
      writePoolStatus: (pool, status, token) => gate.run(() => this.innerValue.writePoolStatus(pool, status, tokenFor(token))),
    } satisfies Omit<ControllerStore, 'readPool'> & { readPool: (pool: string) => Promise<unknown> };
    return view;
  }
}
