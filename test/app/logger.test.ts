/**
 * Readable logs (RECONCILER_LOG_PRETTY=true): plain text, no colour codes, when stdout is a file
 * or a pipe; JSON with one explaining line when pino-pretty (a development dependency) is missing.
 * Runs the compiled logger in a child process, so stdout is a real pipe.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const LOGGER = new URL('../../dist/src/app/logger.js', import.meta.url).href;

async function logOnce(opts: string): Promise<string> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};
const log = createLogger({ level: 'info', pretty: true, ${opts} });
log.info({ sessionId: 's1' }, 'hello from the logger');`;
  const env = { ...process.env };
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env });
  return stdout;
}

describe('createLogger, readable', () => {
  it('writes no colour codes into a pipe', async () => {
    const out = await logOnce('');
    expect(out).toContain('hello from the logger');
    expect(out).toContain('sessionId: "s1"');
    expect(out).not.toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
  });

  it('colours only when asked to (a terminal)', async () => {
    expect(await logOnce('colorize: true')).toMatch(/\x1b\[/); // eslint-disable-line no-control-regex
  });

  it('falls back to JSON, saying why, when pino-pretty is not installed', async () => {
    const lines = (await logOnce("resolveModule: () => { throw new Error('Cannot find module pino-pretty'); }")).trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(lines[0]).toMatchObject({ level: 40 });
    expect(lines[0]!.msg).toMatch(/pino-pretty is not installed.*logging JSON/);
    expect(lines[1]).toMatchObject({ level: 30, msg: 'hello from the logger', sessionId: 's1' });
  });
});
