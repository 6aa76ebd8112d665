/**
 * The daemon's lifecycle: start, run until SIGTERM/SIGINT, then drain within the grace period
 * and exit 0. A second signal exits at once (code 130).
 */
import type { ReconcilerConfig } from '../config/load.js';
import { buildDaemon } from './daemon.js';
import { createLogger } from './logger.js';
import { Observability } from './observability.js';
import { packageVersion } from '../common/package-info.js';

/** Grace period for in-flight work on shutdown, ms: well under ECS's default 30 s stopTimeout. */
export const SHUTDOWN_GRACE_MS = 10_000;

export async function runDaemon(config: ReconcilerConfig): Promise<number> {
  const log = createLogger({ level: config.logLevel, pretty: config.logPretty });
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
  try {
    const http = await obs.startHttp(config.httpHost, config.httpPort);
    log.info({ url: http.url }, 'serving /metrics, /healthz, /readyz');
    await daemon.start();
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await obs.close().catch(() => undefined);
    await daemon.close().catch(() => undefined);
    return 1;
  }
  log.info('running');
  return done;
}
