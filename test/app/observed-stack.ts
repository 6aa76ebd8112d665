/**
 * A whole stack with observability attached through the production wiring (`Observability` +
 * `buildDaemon`): the simulator over HTTP, real Redis under a unique prefix, the controller,
 * and the HTTP server on a free loopback port.
 */
import { buildDaemon, type DaemonParts } from '../../src/app/daemon.js';
import type { RunningHttpServer } from '../../src/app/http-server.js';
import { Observability } from '../../src/app/observability.js';
import { loadConfig } from '../../src/config/load.js';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import type { SimCore, SimCoreOptions } from '../../src/sim/core.js';
import type { SimServer } from '../../src/sim/http-server.js';
import { simClients } from '../../src/sim/sdk-clients.js';
import { uniquePrefix } from '../support/redis.js';
import { stackEnv, startSim, stopStack } from '../support/stack.js';

export interface ObservedStack {
  core: SimCore;
  sim: SimServer;
  prefix: string;
  daemon: DaemonParts;
  obs: Observability;
  http: RunningHttpServer;
  client: SessionClient;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startObservedStack(opts: { sim?: SimCoreOptions; env?: Record<string, string>; start?: boolean } = {}): Promise<ObservedStack> {
  const { core, sim } = await startSim(opts.sim);
  const prefix = uniquePrefix('esrobs');
  const env = stackEnv(sim.url, prefix, opts.env);
  const config = loadConfig(env);
  const obs = new Observability({ version: '0.0.0-test', events: { flushDelayMs: 10 } });
  const daemon = buildDaemon(config, { env, aws: new SdkAwsApi(simClients(sim.url)), ...obs.daemonOptions() });
  obs.bind(daemon);
  const http = await obs.startHttp('127.0.0.1', 0);
  const client = connectSessionClient({ env, prefix });
  if (opts.start !== false) await daemon.controller.start();
  return {
    core, sim, prefix, daemon, obs, http, client, env,
    stop: () => stopStack({ daemon, client, sim, prefix, beforeClose: () => obs.close() }),
  };
}

/** Parses Prometheus text exposition into `name{labels}` -> value (labels sorted by name). */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = [...(m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => `${l[1]}="${l[2]}"`).sort();
    out.set(labels.length ? `${m[1]}{${labels.join(',')}}` : m[1]!, Number(m[4]));
  }
  return out;
}

/** Looks up `name` with exactly these labels. */
export function sample(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).sort();
  return series.get(l.length ? `${name}{${l.join(',')}}` : name);
}
