/**
 * A real Prometheus server (Debian's `prometheus` binary) scrapes a running controller's
 * /metrics on loopback; a PromQL query returns the expected series. Real time, a few seconds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/stack.js';
import { startObservedStack, type ObservedStack } from './observed-stack.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface PromResult {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('a real Prometheus scrapes the controller', () => {
  it('finds the reconcile and session series with the expected values', async () => {
    if (spawnSync('prometheus', ['--version']).error) throw new Error("prometheus is not on PATH: install Debian's `prometheus` package (apt-get install prometheus)");
    const stack: ObservedStack = await startObservedStack();
    cleanup.push(() => stack.stop());
    await stack.client.ensureSession({ id: 'p1', userId: 'u1', template: 'shell', persistence: 'none' });
    await eventually('p1 Running', () => stack.daemon.controller.cache.sessions.get('p1')?.status?.phase === 'Running', 20_000);

    const dir = mkdtempSync(join(tmpdir(), 'esr-prom-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const target = stack.http.url.replace('http://', '');
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: esr-reconciler\n    static_configs:\n      - targets: ["${target}"]\n`);
    const port = await freePort();
    const prom: ChildProcess = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    prom.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    cleanup.push(() => new Promise<void>((resolve) => {
      if (prom.exitCode !== null) return resolve();
      prom.once('exit', () => resolve());
      prom.kill('SIGTERM');
    }));

    const query = async (q: string): Promise<PromResult['data']['result']> => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`);
      const body = (await res.json()) as PromResult;
      return body.status === 'success' ? body.data.result : [];
    };
    await eventually('Prometheus scraped the controller', async () => {
      try {
        return (await query('up{job="esr-reconciler"} == 1')).length === 1;
      } catch {
        return false;
      }
    }, 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\nprometheus stderr:\n${stderr}`, { cause: err });
    });

    const running = await query('esr_sessions{job="esr-reconciler", phase="Running"}');
    expect(running).toHaveLength(1);
    expect(running[0]!.metric.instance).toBe(target);
    expect(Number(running[0]!.value[1])).toBe(1);
    const runTask = await query('esr_aws_requests_total{service="ecs", operation="RunTask", outcome="ok"}');
    expect(Number(runTask[0]!.value[1])).toBe(1);
    const success = await query('sum(controller_runtime_reconcile_total{controller="session", result="success"})');
    expect(Number(success[0]!.value[1])).toBeGreaterThan(0);
  }, 60_000);
});
