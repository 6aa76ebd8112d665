/**
 * Finds a Redis for the demo and the tests, in this order:
 *   1. `REDIS_URL` when set (used as is; an unreachable one is an error, never silently replaced);
 *   2. 127.0.0.1:6379 when it answers PING;
 *   3. a private `redis-server` from PATH on a free loopback port (no persistence), stopped by `stop()`;
 *   4. otherwise an error saying how to get one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { RealClock } from './clock.js';
import { RetryPolicy } from './retry-policy.js';
import { mathRandom } from './rng.js';

export interface LocatedRedis {
  url: string;
  /** How it was found, for a log line: 'REDIS_URL', 'local', or 'private'. */
  source: 'REDIS_URL' | 'local' | 'private';
  /** Stops a private server; a no-op otherwise. */
  stop(): Promise<void>;
}

/** Sends PING over a raw socket and resolves true on +PONG (or an auth error, which still proves a server). */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (buf) => done(buf.toString().startsWith('+PONG') || buf.toString().startsWith('-NOAUTH')));
  });
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts `redis-server` on a free loopback port with persistence off; resolves once it answers PING. */
export async function startPrivateRedis(): Promise<{ url: string; port: number; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const deadline = Date.now() + 5000;
  const backoff = new RetryPolicy({ baseMs: 25, capMs: 400, rng: mathRandom }).backoff();
  for (;;) {
    const ready = await Promise.race([pingRedis('127.0.0.1', port, 200), spawnError]);
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer PING within 5 s`);
    }
    await new RealClock().sleep(backoff.next());
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return { url: `redis://127.0.0.1:${port}`, port, child, stop };
}

export async function locateRedis(env: NodeJS.ProcessEnv = process.env): Promise<LocatedRedis> {
  const noop = async (): Promise<void> => {};
  if (env.REDIS_URL) return { url: env.REDIS_URL, source: 'REDIS_URL', stop: noop };
  if (await pingRedis('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', source: 'local', stop: noop };
  try {
    const priv = await startPrivateRedis();
    return { url: priv.url, source: 'private', stop: priv.stop };
  } catch (err) {
    throw new Error(
      'No Redis found: REDIS_URL is unset, nothing answers on 127.0.0.1:6379, and redis-server could not be started ' +
        `(${(err as Error).message}). Install Redis 7 (Debian: apt-get install redis-server) or set REDIS_URL=redis://host:port.`,
      { cause: err },
    );
  }
}
