import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimCore } from './core.js';
import { serveControl } from './http-control.js';
import { serveEcs } from './http-ecs.js';
import { serveEfs } from './http-efs.js';
import type { HttpAnswer } from './http-types.js';
import { serveSqs, SQS_TARGET_PREFIX } from './sqs/http-sqs.js';

export interface SimServerOptions {
  core: SimCore;
  /** 0 (default) lets the kernel choose. */
  port?: number;
  host?: string;
  /** Largest accepted request body in bytes (default 5 MiB); larger answers 413. */
  maxBodyBytes?: number;
}

export interface SimServer {
  /** e.g. http://127.0.0.1:43121 */
  url: string;
  port: number;
  /** Stops listening and drops open connections (hung requests included). */
  close(): Promise<void>;
}

/**
 * Serves a SimCore over HTTP: ECS (AWS JSON 1.1, POST / with X-Amz-Target), SQS (AWS JSON 1.0,
 * X-Amz-Target AmazonSQS.*), EFS (REST-JSON under /2015-02-01/) and control under /_sim/. A request whose client goes away aborts its
 * call, so hung calls end when the client gives up.
 */
export async function startSimServer(opts: SimServerOptions): Promise<SimServer> {
  const { core } = opts;
  const maxBody = opts.maxBodyBytes ?? 5 * 1024 * 1024;
  let requestSeq = 0;
  const server = http.createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('client closed the connection'));
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBody) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      const requestId = `sim-${++requestSeq}`;
      const write = (a: HttpAnswer): void => {
        if (res.destroyed) return;
        res.writeHead(a.status, { ...a.headers, 'x-amzn-requestid': requestId, 'content-length': Buffer.byteLength(a.body) });
        res.end(a.body);
      };
      if (tooLarge) {
        write({ status: 413, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `request body over ${maxBody} bytes` }) });
        return;
      }
      handle(core, req, Buffer.concat(chunks).toString('utf8'), abort.signal).then(write, (err: unknown) => {
        if (abort.signal.aborted) return;
        write({ status: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `simulator failure: ${(err as Error).message}` }) });
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(core: SimCore, req: http.IncomingMessage, body: string, signal: AbortSignal): Promise<HttpAnswer> {
  const url = new URL(req.url ?? '/', 'http://sim.local');
  const method = req.method ?? 'GET';
  if (url.pathname.startsWith('/_sim/')) return serveControl(core, method, url.pathname, body);
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX)) return serveSqs(core, target, body, `http://${req.headers.host ?? 'sim.local'}`, signal);
  if (typeof target === 'string' || (method === 'POST' && url.pathname === '/')) return serveEcs(core, typeof target === 'string' ? target : '(missing X-Amz-Target)', body, signal);
  return serveEfs(core, method, url, body, signal);
}
