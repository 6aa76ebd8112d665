/**
 * The simulated world of one run, in one process on one VirtualClock: the ECS/EFS simulator
 * (seeded, Fargate timings, throttling on), the desired store, the gateway, and the controller
 * processes (real controller code, production wiring). Applies schedule events to it.
 */
import { VirtualClock } from '../../src/common/clock.js';
import { randomInt, SeededRng } from '../../src/common/rng.js';
import { SimAwsApi } from '../../src/observed/sim-aws-api.js';
import { SimSqsApi } from '../../src/observed/sim-sqs-api.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import type { FaultConfigInput } from '../../src/sim/faults.js';
import type { SessionSpec } from '../../src/desired/schema.js';
import { AwsObserver, short, type StopObservation } from './aws-observer.js';
import { SIM_CLUSTER, SIM_EVENTS, SIM_OWNER, SIM_POOL, SIM_STARTED_BY, SIM_TIMINGS } from './config.js';
import { ControllerSlot } from './controller-slot.js';
import { EventLog } from './event-log.js';
import { Gateway } from './gateway.js';
import { describeEvent, type SchedEvent } from './schedule.js';
import { WorldStore, type AcceptedWrite } from './world-store.js';

export const T0 = Date.UTC(2026, 0, 1);

/** A deliberately broken controller (mutation tests): decorations applied from outside. */
export interface Mutation {
  name: string;
  /** Decorates each controller's raw AwsApi. */
  wrapAws?: (api: AwsApi) => AwsApi;
  /** The store ignores fencing tokens. */
  ignoreFencing?: boolean;
  /** The store writes statuses whatever spec generation they were computed from. */
  ignoreStatusBasis?: boolean;
  /** Changes each session spec as the controllers read it (what a controller blind to part of the spec sees). */
  readSpec?: (spec: SessionSpec) => SessionSpec;
  /** Decorates the simulator core the world's AWS adapter talks to (response fuzzing). */
  wrapCore?: (core: SimCore) => SimCore;
  /** Called when the quiet period begins (a decoration that is a fault switches itself off). */
  onQuiet?: () => void;
  /** True while the decoration is a fault the controller cannot be blamed for (time bounds pause). */
  impairing?: () => boolean;
}

export interface WorldHooks {
  onStop: (o: StopObservation) => void;
  onWrite: (w: AcceptedWrite) => void;
}

/** Derives independent sub-seeds so adding a draw in one part does not shift the others. */
export function subSeed(seed: number, salt: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) + Math.imul(salt, 0x165667b1)) >>> 0;
}

export class World {
  readonly clock = new VirtualClock(T0);
  readonly log: EventLog;
  readonly core: SimCore;
  readonly store: WorldStore;
  readonly gateway: Gateway;
  readonly observer: AwsObserver;
  readonly slots: ControllerSlot[] = [];
  leader: ControllerSlot | undefined;
  /** Until when (epoch ms) the system counts as impaired: checks with time bounds pause. */
  impairedUntil = 0;
  /** The highest leader epoch so far (never lost: it stands for the Redis clock part of an epoch). */
  private epoch = 0;
  /** Leader terms started so far (names the processes). */
  private terms = 0;
  /** When each controller's term began (a rollback past it loses the term's lease and epoch). */
  private readonly termStartedAt = new Map<ControllerSlot, number>();
  private faultWindows: Array<{ until: number; faults: FaultConfigInput; lostResponseRate: number }> = [];
  private readonly rng: SeededRng;
  private foreignTd: string | undefined;
  counters = { startFailures: 0, crashes: 0, leaderChanges: 0, wipes: 0, rollbacks: 0, brakeReleases: 0, killedTasks: 0, foreignTasks: 0, restarts: 0 };

  constructor(
    readonly seed: number,
    hooks: WorldHooks,
    readonly mutation: Mutation | undefined,
    echo?: (line: string) => void,
    /** ECS task state change events into SQS, delivered as SIM_EVENTS.delivery says, and a controller that reads them. */
    readonly events = false,
    /** Settings a soak changes (test/simulation/soak.ts); a seed run uses the defaults. */
    private readonly tuning: { resyncMs?: number; storeCheckpoints?: boolean } = {},
  ) {
    this.log = new EventLog(() => this.clock.now() - T0, 400, echo);
    this.rng = new SeededRng(subSeed(seed, 1));
    this.core = new SimCore({ clock: this.clock, seed: subSeed(seed, 2), profile: 'fargate', taskEvents: events });
    this.applyEventDelivery();
    this.store = new WorldStore({ clock: this.clock, rng: new SeededRng(subSeed(seed, 6)), onWrite: hooks.onWrite, ...(mutation?.ignoreFencing ? { ignoreFencing: true } : {}), ...(mutation?.ignoreStatusBasis ? { ignoreStatusBasis: true } : {}), ...(mutation?.readSpec ? { readSpec: mutation.readSpec } : {}), ...(tuning.storeCheckpoints === false ? { checkpoints: false } : {}) });
    this.gateway = new Gateway(this.store, this.log);
    this.observer = new AwsObserver(this.core, new SimAwsApi(mutation?.wrapCore ? mutation.wrapCore(this.core) : this.core), new SeededRng(subSeed(seed, 3)), this.log, hooks.onStop);
  }

  private impair(until: number): void {
    this.impairedUntil = Math.max(this.impairedUntil, until);
  }

  /** True while faults, outages, a missing or frozen leader (plus recovery time) excuse slowness. */
  impaired(): boolean {
    const now = this.clock.now();
    if (now < this.impairedUntil || this.faultWindows.length > 0 || this.mutation?.impairing?.()) return true;
    if (!this.leader?.alive || !this.leader.controller.synced) return true;
    // An engaged desired-state brake holds stops on purpose until desired state is back or an
    // operator releases it: duplicates and orphans waiting for it are not the controller's delay.
    if (this.leader.safety.brake.engaged()) return true;
    return this.slots.some((s) => s.gate.state === 'frozen');
  }

  /**
   * Whether the leader has read desired and observed state in full with reads begun at or after
   * `since` (its `syncHealth`, as readiness and the sync metrics show it). A controller that has
   * not read the world since the faults stopped is not done, whatever the world looks like: an
   * answer it lost (a RunTask served, its reply dropped) is still unknown to it, and it resolves
   * that by re-sending with the same token or by the read; either may come after a world that
   * already looks right.
   */
  leaderHasReadSince(since: number): boolean {
    const leader = this.leader;
    if (!leader?.alive) return false;
    const { halves } = leader.controller.syncHealth();
    return (halves.desired.lastSuccessBeganAt ?? -Infinity) >= since && (halves.observed.lastSuccessBeganAt ?? -Infinity) >= since;
  }

  /** Starts a new controller process as the leader of a new term. */
  startLeader(): ControllerSlot {
    // As lease-scripts.ts: above every epoch seen, and at least the clock (µs), so an epoch key
    // a failover lost does not make epochs repeat.
    const epoch = (this.epoch = Math.max(this.epoch + 1, this.clock.now() * 1000));
    const term = ++this.terms;
    this.store.setLeaderEpoch(epoch);
    const name = `ctl#${term}`;
    const slot = new ControllerSlot(name, epoch, subSeed(this.seed, 100 + term), {
      clock: this.clock,
      log: this.log,
      worldApi: (n) => this.observer.apiFor(n),
      store: (n, gate) => this.store.viewFor(n, gate),
      ...(this.tuning.resyncMs !== undefined ? { resyncMs: this.tuning.resyncMs } : {}),
      ...(this.mutation?.wrapAws ? { wrapAws: this.mutation.wrapAws } : {}),
      ...(this.events ? { events: { api: new SimSqsApi(this.core), queueUrl: this.core.taskEventsQueueUrl()! } } : {}),
    });
    this.slots.push(slot);
    this.leader = slot;
    this.termStartedAt.set(slot, this.clock.now());
    this.log.add('sched', `${name} starts as leader (term ${term})`);
    slot.start((err) => {
      this.counters.startFailures++;
      this.log.add(name, `start-up failed: ${(err as Error).message.slice(0, 160)}; process exits`);
      this.crash(slot, SIM_TIMINGS.restartAfterMs);
    });
    return slot;
  }

  /** Kills `slot`; when it was the leader, a new process starts after `downMs`. */
  crash(slot: ControllerSlot, downMs: number): void {
    if (slot.gate.state === 'dead') return;
    slot.kill();
    this.log.add('sched', `${slot.name} killed`);
    if (this.leader !== slot) return;
    this.leader = undefined;
    this.counters.restarts++;
    this.clock.setTimer(() => {
      if (!this.leader) this.startLeader();
    }, downMs);
  }

  async apply(e: SchedEvent): Promise<void> {
    this.log.add('sched', describeEvent(e));
    const now = this.clock.now();
    switch (e.kind) {
      case 'create':
        return this.gateway.create(e.id, e.userId, e.template, e.persistence, e.env, e.lifetime);
      case 'abandon':
        return this.gateway.abandon(e.id);
      case 'resume':
        return this.gateway.resume(e.id, now);
      case 'delete':
        return this.gateway.delete(e.id);
      case 'recreate':
        await this.gateway.delete(e.id);
        this.pendingRevives++;
        this.clock.setTimer(() => void this.gateway.revive(e.id).finally(() => this.pendingRevives--), e.gapMs);
        return;
      case 'changeEnv':
        return this.gateway.changeEnv(e.id, e.value);
      case 'poolTarget':
        return this.gateway.setPool(SIM_POOL, 'shell', e.target);
      case 'faults':
        this.faultWindows.push({ until: now + e.durationMs, faults: e.faults, lostResponseRate: e.lostResponseRate });
        this.applyFaultWindows();
        this.clock.setTimer(() => this.applyFaultWindows(), e.durationMs);
        return;
      case 'outage':
        this.core.startOutage(e.service, e.durationMs, { mode: e.mode });
        this.impair(now + e.durationMs + 30_000);
        return;
      case 'throttleBurst':
        for (let i = 0; i < e.tokens; i++) {
          this.core.throttler.admitCall('RunTask');
          this.core.throttler.admitCall('DescribeTasks');
          this.core.throttler.admitCall('ListTasks');
          this.core.throttler.admitLaunches(1);
        }
        this.impair(now + 40_000);
        return;
      case 'killTask':
        return this.killTask(e.how, e.pick);
      case 'foreignTask':
        return this.foreignTask(e.session, e.owner, e.incarnation);
      case 'controllerCrash':
        if (this.leader) {
          this.counters.crashes++;
          this.crash(this.leader, e.downMs);
        }
        return;
      case 'pausedLeader':
        return this.pauseLeader(e.pauseMs);
      case 'rollbackDesired':
        return this.rollback(e.lagMs, e.reapplyAfterMs);
      case 'lostRedisReplies':
        this.store.lostReplyRate = e.rate;
        this.impair(now + e.durationMs + 30_000);
        this.clock.setTimer(() => (this.store.lostReplyRate = 0), e.durationMs);
        return;
      case 'ecsConsistency':
        this.core.mergeFaults({ eventualConsistency: e.lags });
        this.impair(now + e.durationMs + 30_000);
        this.clock.setTimer(() => this.core.mergeFaults({ eventualConsistency: {} }), e.durationMs);
        return;
      case 'wipeDesired':
        this.counters.wipes++;
        this.store.wipe();
        this.gateway.storeLost();
        this.reapplyLater(e.reapplyAfterMs);
        this.impair(now + e.reapplyAfterMs + 30_000);
        return;
    }
  }

  /**
   * A failover to a replica `lagMs` behind: the store loses its latest writes. When the current
   * leader's term began within the lost time, its lease and epoch are gone with them: as its
   * elector would, it finds at its next renewal that the lease is not its own, steps down, and
   * a replica acquires a new term (a higher epoch: see startLeader).
   */
  private rollback(lagMs: number, reapplyAfterMs: number): void {
    const now = this.clock.now();
    const lost = this.store.rollback(lagMs);
    this.counters.rollbacks++;
    this.log.add('sched', `store rolled back ${lost} ms (asked ${lagMs})`);
    this.gateway.storeLost();
    this.reapplyLater(reapplyAfterMs);
    this.impair(now + reapplyAfterMs + 30_000);
    const leader = this.leader;
    if (leader && (this.termStartedAt.get(leader) ?? 0) >= now - lost) {
      this.clock.setTimer(() => {
        if (this.leader !== leader || !leader.alive) return;
        this.log.add('sched', `${leader.name} finds its lease lost in the failover and steps down`);
        this.counters.leaderChanges++;
        this.crash(leader, 0);
      }, SIM_TIMINGS.noticeLossMs);
    }
  }

  /**
   * The gateway writes what it wants again `afterMs` from now (after a store loss). Until then it
   * counts as gateway work still to come (pendingRevives): a run has not converged before it.
   */
  private reapplyLater(afterMs: number): void {
    this.pendingRevives++;
    this.clock.setTimer(() => void this.gateway.reapplyAll({ name: SIM_POOL, template: 'shell' }).finally(() => this.pendingRevives--), afterMs);
  }

  /** Applies the fault windows still open (the latest one wins), or clears them. */
  private applyFaultWindows(): void {
    const now = this.clock.now();
    const ending = this.faultWindows.filter((w) => w.until <= now);
    this.faultWindows = this.faultWindows.filter((w) => w.until > now);
    for (const w of ending) this.impair(w.until + 30_000);
    const w = this.faultWindows[this.faultWindows.length - 1];
    const f = w?.faults ?? {};
    this.core.mergeFaults({ errorRate: f.errorRate ?? {}, hangRate: f.hangRate ?? {}, latencyMs: f.latencyMs ?? {}, capacityFailureRate: f.capacityFailureRate ?? 0, failToStartRate: f.failToStartRate ?? 0 });
    this.observer.lostResponseRate = w?.lostResponseRate ?? 0;
  }

  private killTask(how: 'crash' | 'spot', pick: number): void {
    const live = this.core.dump().tasks.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus === 'RUNNING');
    const t = live[Math.floor(pick * live.length)];
    if (!t) return;
    this.counters.killedTasks++;
    if (how === 'crash') this.core.crashTask(t.taskArn);
    else this.core.interruptSpot(t.taskArn);
    this.log.add('sched', `${how} task ${short(t.taskArn)} (${t.tags['esr:session'] ?? 'no session'})`);
    this.impair(this.clock.now() + 5_000);
  }

  /** Starts a task we do not own, with our startedBy, straight in the simulator (no faults). */
  private foreignTask(session: string | undefined, owner: string | undefined, incarnation: number): void {
    const ecs = this.core.ecs;
    this.foreignTd ??= ecs.registerTaskDefinition({
      family: 'other-team-app',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'other/app:1', essential: true }],
    }).taskDefinition!.taskDefinitionArn!;
    const tags = [
      { key: 'esr:role', value: 'session' },
      { key: 'esr:incarnation', value: String(incarnation) },
      ...(session ? [{ key: 'esr:session', value: session }] : []),
      ...(owner ? [{ key: 'esr:owner', value: owner }] : []),
    ];
    try {
      const out = ecs.runTask({ cluster: SIM_CLUSTER, taskDefinition: this.foreignTd, startedBy: SIM_STARTED_BY, launchType: 'FARGATE', tags, networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } });
      for (const t of out.tasks ?? []) this.log.add('sched', `foreign task ${short(t.taskArn!)} session=${session ?? '-'} owner=${owner ?? 'NONE'}`);
      this.counters.foreignTasks += out.tasks?.length ?? 0;
    } catch (err) {
      this.log.add('sched', `foreign task not started: ${(err as Error).message}`);
    }
  }

  /**
   * The leader freezes (SIGSTOP, a long GC). Its own view of the lease runs out after leaseMs;
   * a new leader with the next epoch takes over a second later. The old one wakes after
   * `pauseMs`: whatever it had in flight goes out late, then it notices and steps down.
   */
  private pauseLeader(pauseMs: number): void {
    const old = this.leader;
    if (!old?.alive) return;
    old.gate.freeze();
    old.leaseUntil = this.clock.now() + SIM_TIMINGS.leaseMs;
    const takeoverAt = SIM_TIMINGS.leaseMs + 1_000 + randomInt(this.rng, 2_000);
    this.clock.setTimer(() => {
      if (this.leader === old && old.gate.state === 'frozen') {
        this.counters.leaderChanges++;
        this.startLeader();
      }
    }, takeoverAt);
    this.clock.setTimer(() => this.thaw(old), pauseMs);
  }

  thaw(old: ControllerSlot): void {
    if (old.gate.state !== 'frozen') return;
    this.log.add('sched', `${old.name} wakes up`);
    old.gate.thaw();
    if (this.leader === old) {
      old.leaseUntil = Number.POSITIVE_INFINITY;
      return;
    }
    this.clock.setTimer(() => {
      this.log.add('sched', `${old.name} notices it lost the lease and exits`);
      this.crash(old, 0);
    }, SIM_TIMINGS.noticeLossMs);
  }

  /** The quiet period begins: no faults; frozen processes wake; one leader runs. */
  /** Gateway work still to come: recreates whose revive has not happened yet, and re-applies after a store loss. */
  pendingRevives = 0;

  quiesce(): void {
    this.log.add('sched', 'quiet period: faults off');
    this.faultWindows = [];
    this.core.setFaults({});
    this.applyEventDelivery();
    this.observer.lostResponseRate = 0;
    this.store.lostReplyRate = 0;
    this.mutation?.onQuiet?.();
    for (const s of this.slots) this.thaw(s);
    if (!this.leader) this.startLeader();
  }

  /** Event delivery faults hold for the whole run (set again after anything that resets faults). */
  private applyEventDelivery(): void {
    if (this.events) this.core.mergeFaults({ taskEvents: SIM_EVENTS.delivery });
  }

  /** An SQS outage (events on): receives fail for `durationMs`; the events delivered meanwhile wait in the queue. */
  sqsOutage(durationMs: number, mode: 'error' | 'hang'): void {
    this.log.add('sched', `sqs outage ${durationMs} ms (${mode})`);
    this.core.startOutage('sqs', durationMs, { mode });
  }

  /**
   * The operator answers the brake alert in the quiet period, as the runbook says (`reconciler
   * brake release` after checking desired state): a brake that engaged on a store loss and stays
   * engaged because the gateway now wants fewer sessions than ran before is released. Returns
   * how many brakes were released.
   */
  operatorReleasesBrakes(): number {
    let n = 0;
    for (const s of this.slots) {
      if (s.gate.state === 'dead' || !s.safety.brake.engaged()) continue;
      this.log.add('operator', `reconciler brake release (${s.name}: ${JSON.stringify(s.safety.brake.state())})`.slice(0, 300));
      if (s.safety.brake.release()) n++;
    }
    this.counters.brakeReleases += n;
    return n;
  }

  /** Owner tag of our installation. */
  get owner(): string {
    return SIM_OWNER;
  }
}
