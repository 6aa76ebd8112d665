/**
 * Controller hooks that log: every executed action and failed reconcile through a child logger
 * carrying `sessionId`, `taskArn` and `incarnation` (from the cached status), so one session's
 * story can be filtered out of the stream. Successful status writes log at debug.
 */
import type { SessionEntry } from '../desired/types.js';
import type { ControllerHooks } from './controller-hooks.js';
import type { Logger } from './logger.js';

/** A child logger for one session; fields absent from its status are left out. */
export function sessionLogger(log: Logger, sessionId: string, entry: SessionEntry | undefined): Logger {
  const s = entry?.status;
  return log.child({ sessionId, ...(s?.taskArn ? { taskArn: s.taskArn } : {}), ...(s ? { incarnation: s.incarnation } : {}) });
}

export function controllerLogHooks(log: Logger, entryOf: (sessionId: string) => SessionEntry | undefined): ControllerHooks {
  const forKey = (key: string | undefined): Logger => (key && !key.includes(':') ? sessionLogger(log, key, entryOf(key)) : log);
  return {
    onEvent: (e) => {
      const l = forKey(e.sessionId);
      const fields = { action: e.action, drift: e.drift, outcome: e.outcome };
      if (e.outcome === 'ok') (e.action === 'writeStatus' ? l.debug : l.info).call(l, fields, e.message);
      // A deferred stop is retried until the safety gate allows it; the gate's own log summarises them.
      else if (e.outcome === 'deferred') l.debug(fields, e.message);
      else l.warn(fields, e.message);
    },
    onResult: (key, label, err) => {
      if (label !== 'error' && label !== 'terminal_error') return;
      const l = forKey(key);
      (label === 'error' ? l.warn : l.error).call(l, { key, result: label, err }, `reconcile ${label === 'error' ? 'failed, retrying with backoff' : 'failed terminally'}`);
    },
    onError: (where, err) => log.error({ where, err }, `${where} failed`),
    onSync: (s) => log.debug(s, 'full resync done'),
    // Dropped messages are normal (another source, another cluster) but a malformed one says the rule or queue is wrong.
    onTaskEvent: (result, info) => {
      if (result === 'malformed') log.warn({ result, reason: info.reason }, 'task event dropped: malformed');
      else if (result === 'foreign') log.debug({ result, reason: info.reason }, 'task event dropped: foreign');
    },
  };
}
