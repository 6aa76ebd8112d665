/**
 * The daemon's one HTTP port (RECONCILER_HTTP_HOST:RECONCILER_HTTP_PORT): `GET /metrics`
 * (Prometheus text), `GET /healthz` (liveness: process and event loop, no dependencies) and
 * `GET /readyz` (readiness: Redis, first sync, leadership, ...). Both health endpoints take
 * `?verbose` (list every check) and `?exclude=<name>` (repeatable). Failing checks answer 503.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CheckReport, HealthChecks } from './health-checks.js';

export interface MetricsSource {
  scrape(): Promise<string>;
  readonly contentType: string;
}

export interface HttpServerOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  metrics: MetricsSource;
  liveness: HealthChecks;
  readiness: HealthChecks;
  onError?: (err: Error) => void;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** k8s style: `[+]name ok` / `[-]name failed: why`, then a verdict line. */
export function formatReport(endpoint: string, report: CheckReport, verbose: boolean): string {
  if (report.ok && !verbose) return 'ok\n';
  const lines = report.checks.map((c) => (c.ok ? `[+]${c.name} ok${verbose && c.message !== 'ok' ? ` (${c.message})` : ''}` : `[-]${c.name} failed: ${c.message}`));
  lines.push(report.ok ? `${endpoint} check passed` : `${endpoint} check failed`);
  return `${lines.join('\n')}\n`;
}

async function health(res: ServerResponse, endpoint: string, checks: HealthChecks, url: URL): Promise<void> {
  const report = await checks.run(new Set(url.searchParams.getAll('exclude')));
  res.writeHead(report.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(formatReport(endpoint, report, url.searchParams.has('verbose')));
}

export async function startHttpServer(opts: HttpServerOptions): Promise<RunningHttpServer> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    switch (url.pathname) {
      case '/metrics': {
        const body = await opts.metrics.scrape();
        res.writeHead(200, { 'content-type': opts.metrics.contentType });
        res.end(body);
        return;
      }
      case '/healthz':
      case '/livez':
        return health(res, 'healthz', opts.liveness, url);
      case '/readyz':
        return health(res, 'readyz', opts.readiness, url);
      default:
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /metrics, /healthz, /readyz\n');
    }
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      opts.onError?.(new Error(`http ${req.method} ${req.url}: ${(err as Error).message}`, { cause: err }));
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`, { cause: err })));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
