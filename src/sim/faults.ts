import { z } from 'zod';
import type { Clock } from '../common/clock.js';
import type { Rng } from '../common/rng.js';
import { ECS_OPERATIONS, EFS_OPERATIONS, SQS_OPERATIONS, type SimOperation } from './ops.js';
import type { SimService } from './errors.js';
import { consistencyLagsSchema } from './eventual-consistency.js';

/**
 * Fault injection, deterministic under the simulator's seeded RNG. Per-operation maps are
 * keyed by operation name or `*` (every operation); a named entry wins over `*`.
 * Rates are probabilities in [0, 1]; times are milliseconds.
 */
const rate = z.number().min(0).max(1);
const msRange = z.object({ min: z.number().min(0), max: z.number().min(0) }).refine((r) => r.max >= r.min, 'max must be >= min');
const opKey = z.string().refine((k) => k === '*' || ([...ECS_OPERATIONS, ...EFS_OPERATIONS, ...SQS_OPERATIONS] as readonly string[]).includes(k), {
  message: 'must be an operation name or *',
});

export const outageSchema = z.object({
  service: z.enum(['ecs', 'efs', 'sqs']),
  /** Start, in ms after the faults are applied. */
  afterMs: z.number().min(0).default(0),
  durationMs: z.number().min(0),
  /** `error`: 5xx answers; `hang`: no answer until the client aborts. */
  mode: z.enum(['error', 'hang']).default('error'),
});

/**
 * Delivery of ECS task state change events into the simulator's queue (EventBridge -> SQS is
 * at least once, possibly late, out of order, and lossy when the target fails).
 */
export const taskEventFaultsSchema = z
  .object({
    /** From the state change to the message being receivable. */
    delayMs: msRange.default({ min: 200, max: 1000 }),
    /** Probability that an event is delivered twice (each copy with its own delay). */
    duplicateRate: rate.default(0),
    /** Probability that an event is held back by a further `reorderDelayMs`, so later ones overtake it. */
    reorderRate: rate.default(0),
    reorderDelayMs: msRange.default({ min: 2000, max: 10_000 }),
    /** Probability that an event is never delivered. */
    lossRate: rate.default(0),
  })
  .strict();
export type TaskEventFaults = z.output<typeof taskEventFaultsSchema>;

export const faultConfigSchema = z
  .object({
    /** Probability that a call fails with ServerException (ECS) / InternalServerError (EFS), HTTP 500. */
    errorRate: z.record(opKey, rate).default({}),
    /** Added latency before the call is served: a fixed ms value or a range. */
    latencyMs: z.record(opKey, z.union([z.number().min(0), msRange])).default({}),
    /** Probability that a call never answers (until the client aborts). */
    hangRate: z.record(opKey, rate).default({}),
    /** Probability, per requested task, that RunTask reports a capacity failure instead of a task. */
    capacityFailureRate: rate.default(0),
    /** Probability that a started task stops with TaskFailedToStart before RUNNING. */
    failToStartRate: rate.default(0),
    /** Probability that a task crashes (EssentialContainerExited) some time after RUNNING. */
    crashRate: rate.default(0),
    /** When a crashing task crashes, measured from RUNNING. */
    crashAfterMs: msRange.default({ min: 1000, max: 60_000 }),
    /** Probability that a FARGATE_SPOT task gets interrupted (SpotInterruption) after RUNNING. */
    spotInterruptionRate: rate.default(0),
    spotInterruptAfterMs: msRange.default({ min: 5000, max: 120_000 }),
    /** Outage windows for a whole service. */
    outages: z.array(outageSchema).default([]),
    /** Task state change event delivery (when the simulator emits events). */
    taskEvents: taskEventFaultsSchema.prefault({}),
    /** ECS's eventual consistency: visibility lags of new tasks, tags and stops (eventual-consistency.ts). */
    eventualConsistency: consistencyLagsSchema.prefault({}),
  })
  .strict();

/** Fault settings as written (JSON profile file, HTTP body, in-process call). */
export type FaultConfigInput = z.input<typeof faultConfigSchema>;
export type FaultConfig = z.output<typeof faultConfigSchema>;

/** An outage with absolute times (epoch ms on the simulator clock). */
export interface OutageWindow {
  service: SimService;
  fromMs: number;
  toMs: number;
  mode: 'error' | 'hang';
}

/** What happens to a task over its life, decided at RunTask. */
export interface TaskFate {
  failToStart: boolean;
  /** Crash (EssentialContainerExited) this long after RUNNING, when set. */
  crashAfterMs?: number;
  /** Spot interruption this long after RUNNING, when set. */
  spotInterruptAfterMs?: number;
}

/** Parses fault settings; throws an Error listing every problem. */
export function parseFaultConfig(input: unknown): FaultConfig {
  const parsed = faultConfigSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid fault config: ${issues}`, { cause: parsed.error });
  }
  return parsed.data;
}

export class FaultInjector {
  private config: FaultConfig = parseFaultConfig({});
  private windows: OutageWindow[] = [];
  /** Scripted failures per operation, thrown in order by the next calls (see failNext). */
  private readonly scripted = new Map<SimOperation, unknown[]>();

  constructor(
    private readonly clock: Clock,
    private readonly rng: Rng,
    initial?: FaultConfigInput,
  ) {
    if (initial) this.set(initial);
  }

  /** Replaces every fault setting (scripted failures are dropped); outage windows start counting now. */
  set(input: FaultConfigInput): FaultConfig {
    this.config = parseFaultConfig(input);
    this.windows = [];
    this.scripted.clear();
    for (const o of this.config.outages) this.addOutage(o.service, o.durationMs, o.afterMs, o.mode);
    return this.config;
  }

  /** Changes only the given top-level settings; outage windows given here are added. */
  merge(input: FaultConfigInput): FaultConfig {
    const next = parseFaultConfig({ ...this.config, ...input, outages: [] });
    const added = parseFaultConfig({ outages: input.outages ?? [] }).outages;
    this.config = { ...next, outages: [...this.config.outages, ...added] };
    for (const o of added) this.addOutage(o.service, o.durationMs, o.afterMs, o.mode);
    return this.config;
  }

  /**
   * The next `times` calls of `op` fail with `error`, before anything else happens to them
   * (outage, throttle, the operation itself): a deterministic script, where the rates above are
   * chances. A SimError is the service's answer (the HTTP server sends it on the wire, the
   * in-process adapter shapes it like the SDK's exception); any other error is thrown as is
   * in-process, like a transport failure (ECONNREFUSED), and answered as a 500 over HTTP.
   */
  failNext(op: SimOperation, error: unknown, times = 1): void {
    const queue = this.scripted.get(op) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.scripted.set(op, queue);
  }

  /** Takes the next scripted failure of `op` off its queue; undefined when none is left. */
  takeScripted(op: SimOperation): { error: unknown } | undefined {
    const queue = this.scripted.get(op);
    if (!queue || queue.length === 0) return undefined;
    return { error: queue.shift() };
  }

  current(): FaultConfig {
    return this.config;
  }

  activeOutages(): OutageWindow[] {
    const now = this.clock.now();
    return this.windows.filter((w) => w.toMs > now);
  }

  /** Starts a service outage `afterMs` from now lasting `durationMs`. */
  addOutage(service: SimService, durationMs: number, afterMs = 0, mode: 'error' | 'hang' = 'error'): OutageWindow {
    const fromMs = this.clock.now() + afterMs;
    const w: OutageWindow = { service, fromMs, toMs: fromMs + durationMs, mode };
    this.windows.push(w);
    return w;
  }

  /** The outage in force for `service` now, if any. */
  outageNow(service: SimService): OutageWindow | undefined {
    const now = this.clock.now();
    return this.windows.find((w) => w.service === service && w.fromMs <= now && now < w.toMs);
  }

  private lookup<T>(map: Record<string, T>, op: SimOperation): T | undefined {
    return map[op] ?? map['*'];
  }

  private chance(p: number | undefined): boolean {
    return p !== undefined && p > 0 && this.rng.next() < p;
  }

  private draw(r: { min: number; max: number }): number {
    return Math.round(r.min + this.rng.next() * (r.max - r.min));
  }

  shouldFail(op: SimOperation): boolean {
    return this.chance(this.lookup(this.config.errorRate, op));
  }

  shouldHang(op: SimOperation): boolean {
    return this.chance(this.lookup(this.config.hangRate, op));
  }

  /** Added latency for this call in ms (0 when none). */
  latencyFor(op: SimOperation): number {
    const l = this.lookup(this.config.latencyMs, op);
    if (l === undefined) return 0;
    return typeof l === 'number' ? l : this.draw(l);
  }

  capacityFailure(): boolean {
    return this.chance(this.config.capacityFailureRate);
  }

  taskFate(spot: boolean): TaskFate {
    const c = this.config;
    const fate: TaskFate = { failToStart: this.chance(c.failToStartRate) };
    if (!fate.failToStart && this.chance(c.crashRate)) fate.crashAfterMs = this.draw(c.crashAfterMs);
    if (!fate.failToStart && spot && this.chance(c.spotInterruptionRate)) fate.spotInterruptAfterMs = this.draw(c.spotInterruptAfterMs);
    return fate;
  }
}
