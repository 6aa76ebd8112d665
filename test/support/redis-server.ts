/**
 * One private `redis-server` (or `redis-server --sentinel`) process for tests that kill,
 * pause, restart, fail over or flush Redis: a free loopback port, its own working directory
 * (cluster and sentinel state files), no persistence, stopped by its PID only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, pingRedis } from '../../src/common/local-redis.js';

export interface ServerSpec {
  /** Extra `redis-server` arguments (`--cluster-enabled yes`, `--replicaof host port`...). */
  args?: string[];
  /** Run as a Sentinel with this config body (port/bind/dir are added). */
  sentinelConfig?: string;
}

const START_TIMEOUT_MS = 10_000;

/** A private Redis process that can be signalled and restarted on the same port. */
export class RedisServerProcess {
  private child: ChildProcess | undefined;
  private exitedPromise: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly spec: ServerSpec,
  ) {}

  /** Starts a server on a free port and resolves once it answers PING. */
  static async start(spec: ServerSpec = {}): Promise<RedisServerProcess> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), `esr-redis-${port}-`));
    const server = new RedisServerProcess(port, dir, spec);
    await server.launch();
    return server;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** The running process's PID (undefined while stopped). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  private async launch(): Promise<void> {
    const base = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no'];
    let args: string[];
    if (this.spec.sentinelConfig !== undefined) {
      const file = path.join(this.dir, 'sentinel.conf');
      writeFileSync(file, `port ${this.port}\nbind 127.0.0.1\ndir ${this.dir}\n${this.spec.sentinelConfig}\n`);
      args = [file, '--sentinel'];
    } else {
      args = [...base, ...(this.spec.args ?? [])];
    }
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    this.exitedPromise = new Promise((resolve) => child.once('exit', () => resolve()));
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await Promise.race([pingRedis('127.0.0.1', this.port, 200), spawnError]))) {
      if (!this.running) throw new Error(`redis-server ${args.join(' ')} exited with ${child.exitCode ?? child.signalCode}`);
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server on port ${this.port} did not answer PING within ${START_TIMEOUT_MS} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends `signal` to this process (by its PID, never by name). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child!.kill(signal);
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.child!.kill('SIGCONT'); // a paused process still dies, but be explicit
    this.child!.kill('SIGKILL');
    await this.exitedPromise;
  }

  /** Starts the process again on the same port and directory (cluster node files survive). */
  async restart(): Promise<void> {
    if (this.running) throw new Error(`redis on ${this.address} is still running`);
    await this.launch();
  }

  /** A plain connection to this one process (admin commands, not routed). */
  admin(): Redis {
    const r = new Redis({ host: '127.0.0.1', port: this.port, maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: () => null });
    r.on('error', () => undefined);
    return r;
  }

  /** SIGTERM (SIGKILL after 5 s), then removes the working directory. */
  async stop(): Promise<void> {
    if (this.running) {
      this.child!.kill('SIGCONT');
      this.child!.kill('SIGTERM');
      const timer = setTimeout(() => this.child?.kill('SIGKILL'), 5000);
      await this.exitedPromise;
      clearTimeout(timer);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs one admin command on a process and disconnects. */
export async function adminCall<T>(server: RedisServerProcess, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = server.admin();
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}
