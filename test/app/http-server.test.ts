/** /healthz and /readyz: pluggable checks, ?verbose, ?exclude, 503 on failure, timeouts. */
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecks } from '../../src/app/health-checks.js';
import { startHttpServer, type RunningHttpServer } from '../../src/app/http-server.js';

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(readiness: HealthChecks): Promise<RunningHttpServer> {
  const liveness = new HealthChecks('healthz').add('eventloop', () => ({ ok: true, message: 'lag 0 ms' }));
  const s = await startHttpServer({ host: '127.0.0.1', port: 0, metrics: { scrape: async () => 'm 1\n', contentType: 'text/plain; version=0.0.4' }, liveness, readiness });
  servers.push(s);
  return s;
}

describe('health endpoints', () => {
  it('readyz is 503 and names the failing check; verbose lists all; exclude skips one', async () => {
    let leader = false;
    const ready = new HealthChecks('readyz').add('redis', () => ({ ok: true, message: 'PONG' })).add('leadership', () => (leader ? { ok: true, message: 'leader' } : { ok: false, message: 'leadership unknown' }));
    const s = await serve(ready);
    const r1 = await fetch(`${s.url}/readyz`);
    expect(r1.status).toBe(503);
    expect(await r1.text()).toContain('[-]leadership failed: leadership unknown');
    expect((await fetch(`${s.url}/readyz?exclude=leadership`)).status).toBe(200);
    leader = true;
    const ok = await fetch(`${s.url}/readyz`);
    expect([ok.status, await ok.text()]).toEqual([200, 'ok\n']);
    const verbose = await (await fetch(`${s.url}/readyz?verbose`)).text();
    expect(verbose).toBe('[+]redis ok (PONG)\n[+]leadership ok (leader)\nreadyz check passed\n');
  });

  it('a check that hangs fails by its timeout; a throwing check fails with its message', async () => {
    const ready = new HealthChecks('readyz').add('slow', () => new Promise(() => undefined), { timeoutMs: 50 }).add('boom', () => {
      throw new Error('redis: connection refused');
    });
    const s = await serve(ready);
    const body = await (await fetch(`${s.url}/readyz?verbose`)).text();
    expect(body).toContain('[-]slow failed: no answer within 50 ms');
    expect(body).toContain('[-]boom failed: redis: connection refused');
  });

  it('serves /metrics and /healthz, 404 elsewhere', async () => {
    const s = await serve(new HealthChecks('readyz'));
    const m = await fetch(`${s.url}/metrics`);
    expect([m.status, m.headers.get('content-type'), await m.text()]).toEqual([200, 'text/plain; version=0.0.4', 'm 1\n']);
    expect(await (await fetch(`${s.url}/healthz?verbose`)).text()).toContain('[+]eventloop ok (lag 0 ms)');
    expect((await fetch(`${s.url}/nope`)).status).toBe(404);
  });
});
