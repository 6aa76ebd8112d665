/**
 * Attaches metrics, session events, health checks and logs to a daemon from outside: sinks and
 * hooks go into `buildDaemon`'s options, then `bind` connects what needs the built parts
 * (controller cache, Redis, breakers). Nothing in the controller knows about any of it.
 *
 *   const obs = new Observability({ version, log });
 *   const daemon = buildDaemon(config, { ...obs.daemonOptions() });
 *   obs.bind(daemon);
 *   const http = await obs.startHttp(config.httpHost, config.httpPort);
 *
 * Readiness has `redis` (PING), `synced` (first full sync done, controller running) and
 * `leadership` (the lease state is known and not shutting down; a follower is ready). Other
 * parts add theirs by name: `obs.readiness.add('name', () => ({ ok, message }))`.
 * `leader_election_master_status` and `esr_safety_brake_engaged{brake="desired-state"}` follow
 * the daemon's HighAvailability (probe and brake events).
 */
import type { Clock } from '../common/clock.js';
import { RealClock } from '../common/clock.js';
import type { ControllerHooks } from './controller-hooks.js';
import { mergeControllerHooks } from './controller-hooks.js';
import type { BuildDaemonOptions, DaemonParts } from './daemon.js';
import { controllerSyncedCheck, EventLoopMonitor, HealthChecks, redisPrimaryCheck } from './health-checks.js';
import { startHttpServer, type RunningHttpServer } from './http-server.js';
import { controllerLogHooks } from './log-hooks.js';
import type { Logger } from './logger.js';
import { RedisSessionEvents, type RedisSessionEventsOptions } from '../events/redis-events.js';
import { SessionEventRecorder } from '../events/recorder.js';
import type { SessionEventSink } from '../events/types.js';
import { ReconcilerMetrics } from '../metrics/reconciler-metrics.js';
import { tapDesiredSnapshots } from '../metrics/desired-tap.js';

/** The `brake` label of the desired-state safety brake (src/controller/safety). */
export const BRAKE_NAME = 'desired-state';

export interface ObservabilityOptions {
  /** Package version for `esr_build_info`. */
  version: string;
  log?: Logger;
  /** The daemon's clock (events and latency timestamps). Default: real time. */
  clock?: Clock;
  /** Node.js default metrics; default true. */
  defaultMetrics?: boolean;
  events?: Pick<RedisSessionEventsOptions, 'maxPerSession' | 'ttlMs' | 'flushDelayMs' | 'maxPending'>;
  /** Event sink override (tests: MemorySessionEvents). Default: Redis, bound at `bind`. */
  eventSink?: SessionEventSink;
}

export class Observability {
  readonly metrics: ReconcilerMetrics;
  readonly liveness = new HealthChecks('healthz');
  readonly readiness = new HealthChecks('readyz');
  readonly recorder: SessionEventRecorder;
  /** The Redis event store, once bound (undefined with an `eventSink` override). */
  events: RedisSessionEvents | undefined;
  private daemon: DaemonParts | undefined;
  private readonly clock: Clock;
  private readonly loop = new EventLoopMonitor();
  private readonly unsubscribe: Array<() => void> = [];
  private http: RunningHttpServer | undefined;

  constructor(private readonly opts: ObservabilityOptions) {
    this.clock = opts.clock ?? new RealClock();
    this.metrics = new ReconcilerMetrics({ version: opts.version, defaultMetrics: opts.defaultMetrics ?? true, brakes: [BRAKE_NAME] });
    const sink: SessionEventSink = opts.eventSink ?? { record: (id, e) => this.events?.record(id, e) };
    this.recorder = new SessionEventRecorder({
      sink,
      now: () => this.clock.now(),
      phaseOf: (id) => this.daemon?.controller.cache.sessions.get(id)?.status?.phase,
      nextAttemptAt: (key) => this.daemon?.controller.queue.readyAt(key),
      breakerRetryAfterMs: (service) => this.daemon?.breakers[service as 'ecs' | 'efs']?.retryAfterMs() ?? 0,
    });
    this.liveness.add('eventloop', this.loop.check);
  }

  /** Hooks for the controller: logs (when a logger is given), metrics, events, then `extra`. */
  controllerHooks(extra?: ControllerHooks): ControllerHooks {
    const entryOf = (id: string) => this.daemon?.controller.cache.sessions.get(id);
    return mergeControllerHooks(
      this.opts.log ? controllerLogHooks(this.opts.log, entryOf) : undefined,
      this.metrics.controllerHooks(() => this.daemon?.controller, () => this.clock.now()),
      this.recorder.hooks(),
      extra,
    );
  }

  /** `buildDaemon` options: the call-outcome sink, invalid-record hook, desired tap, queue sink and hooks. */
  daemonOptions(extra?: ControllerHooks): Pick<BuildDaemonOptions, 'outcomeSink' | 'onInvalidRecord' | 'decorateDesired' | 'controller'> {
    return {
      outcomeSink: this.metrics.callOutcomeSink(this.recorder.callOutcomeSink()),
      onInvalidRecord: this.metrics.invalidRecordHook(),
      decorateDesired: (store) => tapDesiredSnapshots(store, (s) => this.metrics.onDesiredSnapshot(s)),
      controller: { queueMetrics: this.metrics.queueSink(), ...this.controllerHooks(extra) },
    };
  }

  /** Connects the built daemon: scrape-time reads, breakers, the Redis event store, readiness. */
  bind(daemon: DaemonParts): void {
    this.daemon = daemon;
    const now = (): number => daemon.clock.now();
    this.metrics.attachController(daemon.controller, now, daemon.config.workers);
    this.metrics.setPoolConfig(daemon.config.pools);
    this.metrics.observeBreakers(Object.values(daemon.breakers));
    for (const b of Object.values(daemon.breakers)) this.unsubscribe.push(this.recorder.observeBreaker(b));
    const { probe, brake } = daemon.ha;
    this.metrics.watchLeader(() => probe.masterStatus());
    this.metrics.setBrakeEngaged(BRAKE_NAME, brake.engaged());
    this.unsubscribe.push(brake.onChange((st) => this.metrics.setBrakeEngaged(BRAKE_NAME, st.engaged)));
    if (!this.opts.eventSink) {
      this.events = new RedisSessionEvents({
        redis: daemon.redis,
        prefix: daemon.config.redisPrefix,
        clock: daemon.clock,
        ...this.opts.events,
        onError: (err, dropped) => {
          this.metrics.esr.eventsDropped.inc(dropped);
          this.opts.log?.warn({ err: err.message, dropped }, 'session events dropped');
        },
      });
    }
    this.readiness.add('redis', redisPrimaryCheck(daemon.redis, `{${daemon.config.redisPrefix}}:readyz`));
    this.readiness.add('synced', controllerSyncedCheck(daemon.controller));
    this.readiness.add('leadership', () => daemon.ha.readiness());
  }

  /** Serves /metrics, /healthz, /readyz on `host:port` (0 = a free port). */
  async startHttp(host: string, port: number): Promise<RunningHttpServer> {
    this.http = await startHttpServer({
      host,
      port,
      metrics: this.metrics,
      liveness: this.liveness,
      readiness: this.readiness,
      onError: (err) => this.opts.log?.warn({ err }, 'http request failed'),
    });
    return this.http;
  }

  /** Stops the HTTP server, flushes buffered events, detaches from breakers. Call before the daemon closes Redis. */
  async close(): Promise<void> {
    await this.http?.close();
    this.http = undefined;
    await this.events?.close().catch(() => undefined);
    for (const u of this.unsubscribe.splice(0)) u();
    this.loop.stop();
    this.metrics.close();
  }
}
