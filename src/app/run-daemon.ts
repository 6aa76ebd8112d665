/**
 * The daemon's lifecycle: start, run until SIGTERM/SIGINT, then drain within the grace period
 * and exit 0. A second signal exits at once (code 130).
 */
import type { ReconcilerConfig } from '../config/load.js';
import { buildDaemon } from './daemon.js';
import type { EarlySignals } from './early-signals.js';
import { createLogger } from './logger.js';
import { Observability } from './observability.js';
import { packageVersion } from '../common/package-info.js';
import { sharedRedisUserWarning } from '../desired/redis-acl.js';
import { redisConfigFromEnv } from '../desired/redis-connection.js';

/** A start-up problem an operator fixes in the configuration; its message names the variable and the cause. */
export class StartupError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** Why the HTTP server could not listen, naming the variables that chose the address. */
export function listenProblem(config: Pick<ReconcilerConfig, 'httpHost' | 'httpPort'>, err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && !(e as NodeJS.ErrnoException).code && e.cause) e = e.cause;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'EADDRINUSE' ? 'the port is already in use (another process listens on it); set RECONCILER_HTTP_PORT to a free port'
    : code === 'EACCES' ? 'permission denied (ports below 1024 need privileges); set RECONCILER_HTTP_PORT to 1024 or above'
    : code === 'EADDRNOTAVAIL' ? 'no such address on this host; set RECONCILER_HTTP_HOST to one of its addresses (or 0.0.0.0)'
    : (e as Error | undefined)?.message ?? String(e);
  return `cannot serve /metrics, /healthz, /readyz on RECONCILER_HTTP_HOST=${config.httpHost} RECONCILER_HTTP_PORT=${config.httpPort}: ${why}${code ? ` (${code})` : ''}`;
}

/** Grace period for in-flight work on shutdown, ms: well under ECS's default 30 s stopTimeout. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** How the CLI started the daemon. */
export interface RunDaemonOptions {
  /** Signals received while the code was loading (see early-signals.ts); one of them means stop before starting. */
  earlySignals?: EarlySignals;
}

/**
 * Runs the daemon until SIGTERM/SIGINT and resolves with the process exit code: 0 after a
 * graceful stop (also when the signal came during start-up or before it), 1 when start-up failed.
 */
export async function runDaemon(config: ReconcilerConfig, options: RunDaemonOptions = {}): Promise<number> {
  const log = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const early = options.earlySignals?.release();
  if (early) {
    log.info({ signal: early }, 'stopped before start-up: the signal came while the code was loading');
    return 0;
  }
  const obs = new Observability({ version: packageVersion(), log });
  const daemon = buildDaemon(config, {
    leaderElection: config.leaderElection,
    log,
    ...obs.daemonOptions(),
  });
  obs.bind(daemon);
  let stopping: Promise<number> | undefined;
  const stop = (signal: string): Promise<number> => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    const graceMs = config.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
    log.info({ signal, graceMs }, 'shutting down');
    daemon.ha.beginShutdown(); // unready, no new keys; in-flight calls finish or abort within the grace
    stopping = (async () => {
      const report = await daemon.controller.stop(graceMs);
      if (report && !report.drained) log.warn({ inFlight: report.inFlight.length, queued: report.queued.length }, 'left work for the next leader');
      await obs.close();
      await daemon.close(); // releases the lease (token-checked): a follower takes over at once
      log.info('stopped');
      // An aborted SDK socket must not hold the process past the grace period.
      setTimeout(() => process.exit(0), 1000).unref();
      return 0;
    })();
    return stopping;
  };
  const done = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal).then(resolve));
  });
  log.info({ cluster: config.cluster, templates: Object.keys(config.templates), resyncSeconds: config.resyncSeconds }, 'starting');
  const shared = sharedRedisUserWarning(redisConfigFromEnv(process.env).username);
  if (shared) log.warn(shared);
  try {
    const http = await obs.startHttp(config.httpHost, config.httpPort).catch((err: unknown) => {
      throw new StartupError(listenProblem(config, err), { cause: err });
    });
    log.info({ url: http.url }, 'serving /metrics, /healthz, /readyz');
    await daemon.start();
  } catch (err) {
    // A signal during start-up is a shutdown, not a failure: stop() owns the exit code.
    if (stopping) return stopping;
    if (err instanceof StartupError) log.fatal(err.message);
    else log.fatal({ err }, 'start-up failed');
    await obs.close().catch(() => undefined);
    await daemon.close().catch(() => undefined);
    return 1;
  }
  if (stopping) return stopping;
  log.info('running');
  return done;
}
