/**
 * The daemon's lifecycle: start, run until SIGTERM/SIGINT, then drain within the grace period
 * and exit 0. A second signal exits at once (code 130).
 */
import type { ReconcilerConfig } from '../config/load.js';
import { buildDaemon } from './daemon.js';
import { createLogger } from './logger.js';

/** Grace period for in-flight work on shutdown, ms: well under ECS's default 30 s stopTimeout. */
export const SHUTDOWN_GRACE_MS = 10_000;

export async function runDaemon(config: ReconcilerConfig): Promise<number> {
  const log = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const daemon = buildDaemon(config, {
    controller: {
      onEvent: (e) => (e.outcome === 'ok' ? log.info : log.warn).call(log, { sessionId: e.sessionId, action: e.action, drift: e.drift, outcome: e.outcome }, e.message),
      onError: (where, err) => log.error({ where, err }, `${where} failed`),
      onSync: (s) => log.debug(s, 'full resync done'),
    },
  });
  let stopping: Promise<number> | undefined;
  const stop = (signal: string): Promise<number> => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ signal, graceMs: SHUTDOWN_GRACE_MS }, 'shutting down');
    stopping = (async () => {
      const report = await daemon.controller.stop(SHUTDOWN_GRACE_MS);
      if (report && !report.drained) log.warn({ inFlight: report.inFlight.length, queued: report.queued.length }, 'left work for the next leader');
      await daemon.close();
      log.info('stopped');
      return 0;
    })();
    return stopping;
  };
  const done = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void stop(signal).then(resolve));
  });
  log.info({ cluster: config.cluster, templates: Object.keys(config.templates), resyncSeconds: config.resyncSeconds }, 'starting');
  try {
    await daemon.controller.start();
  } catch (err) {
    log.fatal({ err }, 'start-up failed');
    await daemon.close().catch(() => undefined);
    return 1;
  }
  log.info('running');
  return done;
}
