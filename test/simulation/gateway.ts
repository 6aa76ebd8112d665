/**
 * The gateway of the simulated world: what it *wants* (its own memory of sessions, which
 * survives a loss of the desired store) and its writes to the store. It behaves like a sensible
 * client: after a store loss it writes its sessions again, and in the quiet period it retries
 * sessions the controller gave up on (Failed, or a replacement that gave up while the old task
 * serves) by touching their spec (a new generation). Sessions with a lifetime
 * are touched (touchSession) every third of their idle timeout while their user is active.
 */
import { failedForGeneration } from '../../src/desired/client.js';
import type { Lifetime, SessionSpecInput } from '../../src/desired/schema.js';
import type { EventLog } from './event-log.js';
import type { Persistence } from './schedule.js';
import type { WorldStore } from './world-store.js';

export interface Intended {
  input: SessionSpecInput & { env: Record<string, string> };
  deleted: boolean;
}

export class Gateway {
  readonly intended = new Map<string, Intended>();
  /** Spec writes that changed something (creates, recreates, changes, deletes): the work asked for. */
  changes = 0;
  private retries = 0;
  /** Sessions whose record the store lost (a wipe) and the gateway has not written again yet. */
  private readonly unrecorded = new Set<string>();
  /** Deletes per session: a delete ends a life, so the same content afterwards is another want. */
  private readonly lives = new Map<string, number>();
  /** The warm pool target the gateway wants (undefined: never set). */
  poolTarget: number | undefined;
  /**
   * Sessions with an idle timeout: how often the gateway touches them, when it last did, and
   * whether their user walked away (or the session ended: a touch answered `expired`).
   */
  private readonly touching = new Map<string, { everyMs: number; lastAt: number; ended: boolean }>();

  constructor(
    private readonly store: WorldStore,
    private readonly log: EventLog,
  ) {}

  async create(id: string, userId: string, template: string, persistence: Persistence, env: Record<string, string> = {}, lifetime?: Lifetime): Promise<void> {
    const input = { id, userId, template, persistence, env, labels: {}, ...(lifetime ? { lifetime } : {}) };
    this.intended.set(id, { input, deleted: false });
    if (lifetime?.idleTimeoutSeconds) this.touching.set(id, { everyMs: (lifetime.idleTimeoutSeconds * 1000) / 3, lastAt: Number.NEGATIVE_INFINITY, ended: false });
    await this.ensure(input);
  }

  /** Touches every session whose user is active and whose touch is due (called every second). */
  async tick(now: number): Promise<void> {
    for (const [id, t] of this.touching) {
      if (t.ended || this.intended.get(id)?.deleted || now - t.lastAt < t.everyMs) continue;
      t.lastAt = now;
      const r = await this.store.gateway.touchSession(id);
      if (r.outcome === 'expired') {
        t.ended = true;
        this.log.add('gateway', `touch ${id}: expired, stops touching`);
      }
    }
  }

  /** The user walks away: no more touches. */
  abandon(id: string): void {
    const t = this.touching.get(id);
    if (t) t.ended = true;
  }

  /** The user comes back: ensureSession again (a new life if it expired) and touches resume. */
  async resume(id: string, now: number): Promise<void> {
    const s = this.intended.get(id);
    const t = this.touching.get(id);
    if (!s || s.deleted || !t) return;
    const entry = await this.store.gateway.readSession(id);
    if (entry?.status?.phase === 'Expired' && entry.spec?.generation === entry.status.observedGeneration) this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
    t.ended = false;
    t.lastAt = now;
    await this.ensure(s.input);
    // The user is active now: touch at once (ensureSession is not a touch). Expired in between: start again.
    if ((await this.store.gateway.touchSession(id)).outcome === 'expired') {
      this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
      await this.ensure(s.input);
    }
  }

  /**
   * Whether the session must have ended by now or soon: its user walked away (or it already
   * expired), or it has a maximum lifetime. Others are touched and must keep running.
   */
  mustEnd(id: string): boolean {
    const s = this.intended.get(id);
    return this.touching.get(id)?.ended === true || s?.input.lifetime?.maxLifetimeSeconds !== undefined;
  }

  private async ensure(input: Intended['input']): Promise<void> {
    const r = await this.store.gateway.ensureSession(input);
    this.unrecorded.delete(input.id);
    if (r.changed) this.changes++;
    this.log.add('gateway', `ensure ${input.id} gen=${r.spec.generation}${r.changed ? '' : ' (unchanged)'}`);
  }

  async delete(id: string): Promise<void> {
    const s = this.intended.get(id);
    if (!s || s.deleted) return;
    s.deleted = true;
    this.lives.set(id, (this.lives.get(id) ?? 0) + 1);
    const done = await this.store.gateway.deleteSession(id);
    if (done) this.changes++;
    this.log.add('gateway', `delete ${id}${done ? '' : ' (nothing to delete)'}`);
  }

  /** Ensures a known session again (after delete: a recreate with the same id). */
  async revive(id: string): Promise<void> {
    const s = this.intended.get(id);
    if (!s) return;
    s.deleted = false;
    await this.ensure(s.input);
  }

  async changeEnv(id: string, value: string): Promise<void> {
    const s = this.intended.get(id);
    if (!s || s.deleted) return;
    s.input = { ...s.input, env: { ...s.input.env, VERSION: value } };
    await this.ensure(s.input);
  }

  async setPool(name: string, template: string, target: number): Promise<void> {
    const before = this.poolTarget ?? 0;
    this.poolTarget = target;
    const r = await this.store.gateway.setWarmPool(name, template, target);
    if (r.changed) this.changes += Math.max(1, Math.abs(target - before));
    this.log.add('gateway', `warm pool ${name} target ${target}`);
  }

  /**
   * After a store loss: write every live session (and the pool target) again, and delete again
   * the ones it deleted (a rollback can bring a deleted session's record back).
   */
  async reapplyAll(pool?: { name: string; template: string }): Promise<void> {
    for (const s of this.intended.values()) {
      if (!s.deleted) await this.ensure(s.input);
      else if (await this.store.gateway.deleteSession(s.input.id)) this.log.add('gateway', `delete ${s.input.id} again (its delete was lost)`);
    }
    if (pool && this.poolTarget !== undefined) await this.setPool(pool.name, pool.template, this.poolTarget);
  }

  /**
   * Touches the spec of every live session the controller gave up on for its generation, as a
   * gateway whose `waitForReady` rejected with `SessionFailedError` does: `Failed`, or a
   * make-before-break replacement that gave up while the old generation's task keeps serving
   * (`Running` below the spec's generation, `Updating` False `StartFailed`). Both stay as they
   * are until the spec changes (the controller's rule), so one without the other never converges.
   */
  async retryFailed(): Promise<number> {
    let n = 0;
    for (const s of this.intended.values()) {
      if (s.deleted) continue;
      const e = await this.store.gateway.readSession(s.input.id);
      if (!e?.status || !e.spec || e.spec.generation < e.status.observedGeneration || !failedForGeneration(e.status, e.spec.generation)) continue;
      s.input = { ...s.input, env: { ...s.input.env, RETRY: String(++this.retries) } };
      this.log.add('gateway', `retry ${e.status.phase === 'Failed' ? 'Failed' : 'failed update of'} ${s.input.id}: ${e.status.lastError?.reason ?? '?'}`);
      await this.ensure(s.input);
      n++;
    }
    return n;
  }

  /** The store lost every record: until written again, the controller cannot know these sessions. */
  storeLost(): void {
    for (const id of this.intended.keys()) this.unrecorded.add(id);
  }

  /**
   * What the gateway wants for `id` now and the store holds (life and content); undefined when
   * it does not want it, or the store lost its record and the gateway has not written it again.
   */
  contentKey(id: string): string | undefined {
    const s = this.intended.get(id);
    if (!s || s.deleted || this.unrecorded.has(id)) return undefined;
    const { userId, template, persistence, env } = s.input;
    return `life ${this.lives.get(id) ?? 0}: ${JSON.stringify({ userId, template, persistence, env })}`;
  }

  /** Forgets a deleted session for good (the soak's memory stays bounded); its id is never used again. */
  forget(id: string): void {
    if (this.intended.get(id)?.deleted !== true) return;
    this.intended.delete(id);
    this.lives.delete(id);
    this.unrecorded.delete(id);
  }

  liveIds(): string[] {
    return [...this.intended.values()].filter((s) => !s.deleted).map((s) => s.input.id);
  }

  deletedIds(): string[] {
    return [...this.intended.values()].filter((s) => s.deleted).map((s) => s.input.id);
  }
}
