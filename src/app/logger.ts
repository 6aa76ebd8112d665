/**
 * pino JSON logs to stdout (or a readable format for the demo). Secrets are redacted by path;
 * child loggers carry sessionId / taskArn / incarnation.
 */
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = ['password', '*.password', 'redisUrl', '*.redisUrl', 'credentials', '*.credentials', 'secretAccessKey', '*.secretAccessKey', 'env', '*.env'];

export function createLogger(opts: { level: string; pretty: boolean; name?: string }): Logger {
  const base = { level: opts.level, name: opts.name ?? 'reconciler', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (!opts.pretty) return pino(base);
  return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' } } });
}

export type { Logger };
