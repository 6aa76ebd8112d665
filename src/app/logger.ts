/**
 * pino JSON logs to stdout (or a readable format for humans). Secrets are redacted by path;
 * child loggers carry sessionId / taskArn / incarnation.
 *
 * Readable logs come from pino-pretty, a development dependency (not installed with
 * `npm install --omit=dev` or in the image). When it is missing, logs stay JSON and the first
 * line says why. Colour codes are written only to a terminal: a file or a pipe gets plain text.
 */
import { createRequire } from 'node:module';
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = ['password', '*.password', 'redisUrl', '*.redisUrl', 'credentials', '*.credentials', 'secretAccessKey', '*.secretAccessKey', 'env', '*.env'];

/** Options of createLogger. */
export interface LoggerOptions {
  /** pino level name (`info`, `debug`, ...). */
  level: string;
  /** Readable lines instead of JSON (needs pino-pretty; falls back to JSON without it). */
  pretty: boolean;
  name?: string;
  /** Colour in readable lines; default: stdout is a terminal and NO_COLOR is unset. */
  colorize?: boolean;
  /** Resolves a module id to a path; throws when not installed. Default: Node's resolution from here. */
  resolveModule?: (id: string) => string;
}

function stdoutIsColourTerminal(): boolean {
  return Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
}

export function createLogger(opts: LoggerOptions): Logger {
  const base = { level: opts.level, name: opts.name ?? 'reconciler', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  if (!opts.pretty) return pino(base);
  let target: string;
  try {
    target = (opts.resolveModule ?? createRequire(import.meta.url).resolve)('pino-pretty');
  } catch {
    const log = pino(base);
    log.warn('RECONCILER_LOG_PRETTY=true, but pino-pretty is not installed (a development dependency): logging JSON. Install it (npm install pino-pretty) or pipe the JSON through `npx pino-pretty`.');
    return log;
  }
  const colorize = opts.colorize ?? stdoutIsColourTerminal();
  return pino({ ...base, transport: { target, options: { colorize, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name' } } });
}

export type { Logger };
