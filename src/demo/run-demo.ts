/**
 * `npm run demo`: the real controller, in this process, against the ECS/EFS simulator over HTTP
 * and a real Redis, driven by a scripted gateway. Prints the state once a second, ends with a
 * summary, and exits non-zero if the system did not converge or a session had two tasks.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { buildDaemon } from '../app/daemon.js';
import { Observability } from '../app/observability.js';
import { packageVersion } from '../common/package-info.js';
import { locateRedis } from '../common/local-redis.js';
import { loadConfig } from '../config/load.js';
import { connectSessionClient } from '../desired/client.js';
import { deleteStoreKeys } from '../desired/delete-prefix.js';
import { SdkAwsApi } from '../observed/sdk-aws-api.js';
import { SimCore } from '../sim/core.js';
import { DEMO_PROFILE } from '../sim/demo-script.js';
import { startSimServer } from '../sim/http-server.js';
import { simClients } from '../sim/sdk-clients.js';
import { demoScenario } from './scenario.js';
import { renderLine, summarize, type DemoCounters } from './view.js';

export interface DemoOptions {
  durationS: number;
  sessions: number;
  chaos: boolean;
  log?: (line: string) => void;
}

const FS = 'fs-0d3e0d3e0d3e0d3e0';

export async function runDemo(opts: DemoOptions): Promise<number> {
  const log = opts.log ?? ((l: string) => console.log(l));
  // The SDK warns that its 2027 releases need Node 22+; the demo runs on the dev machine's Node
  // (20.19+ is supported by this project), so the warning is noise here. The daemon keeps it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const redis = await locateRedis();
  log(`redis: ${redis.url} (${redis.source === 'private' ? 'a private redis-server started for the demo' : redis.source})`);
  const core = new SimCore({ profile: DEMO_PROFILE, seed: 7, fileSystems: [FS] });
  const sim = await startSimServer({ core });
  log(`simulator: ${sim.url} (Fargate-like limits: RunTask 20/s, launches burst 100 refill 20/s)`);
  const prefix = `esr-demo-${randomBytes(3).toString('hex')}`;
  const env = {
    REDIS_URL: redis.url,
    RECONCILER_REDIS_PREFIX: prefix,
    RECONCILER_CLUSTER: 'demo',
    RECONCILER_TEMPLATES: JSON.stringify({ shell: { image: 'example/session:1', port: 7681, subnets: ['subnet-demo'], efsMountPath: '/home/user' } }),
    RECONCILER_EFS_FILE_SYSTEM_ID: FS,
    RECONCILER_RESYNC_SECONDS: '5',
    RECONCILER_INFLIGHT_REFRESH_MS: '250',
    RECONCILER_ORPHAN_GRACE_SECONDS: '5',
    RECONCILER_BREAKER_COOLDOWN_MS: '2000',
    // A converged fleet calls ECS a few times a second; 3 faults in a row open the breaker in the outage.
    RECONCILER_BREAKER_THRESHOLD: '3',
    RECONCILER_LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const counters: DemoCounters = { actions: 0, errors: 0, byDrift: new Map() };
  const obs = new Observability({ version: packageVersion() });
  const daemon = buildDaemon(config, {
    env,
    aws: new SdkAwsApi(simClients(sim.url)),
    ...obs.daemonOptions({
      onEvent: (e) => {
        counters.actions++;
        if (e.outcome !== 'ok') counters.errors++;
        counters.byDrift.set(e.drift, (counters.byDrift.get(e.drift) ?? 0) + 1);
      },
    }),
  });
  obs.bind(daemon);
  const http = await obs.startHttp('127.0.0.1', 0);
  log(`metrics while it runs: ${http.url}/metrics   (readiness: ${http.url}/readyz?verbose; describe a session: RECONCILER_REDIS_PREFIX=${prefix} REDIS_URL=${redis.url} npx reconciler describe session demo-001)`);
  const client = connectSessionClient({ env, prefix });
  const t0 = Date.now();
  const elapsed = (): number => (Date.now() - t0) / 1000;
  try {
    await daemon.controller.start();
    const steps = demoScenario({ client, core, sessions: opts.sessions, chaos: opts.chaos, durationS: opts.durationS });
    let next = 0;
    let lastActions = 0;
    while (elapsed() < opts.durationS) {
      while (next < steps.length && steps[next]!.at <= elapsed()) {
        const step = steps[next++]!;
        log(`[${elapsed().toFixed(1).padStart(5)}s] >> ${step.what}`);
        await step.run();
      }
      await new Promise((r) => setTimeout(r, 1000));
      log(renderLine(elapsed(), daemon, core, counters.actions - lastActions));
      lastActions = counters.actions;
    }
    // Settle: the last faults may still be healing; give the level-triggered loop time to converge.
    const settleUntil = elapsed() + 30;
    while (!summarize(daemon, core, counters).ok && elapsed() < settleUntil) {
      await new Promise((r) => setTimeout(r, 1000));
      log(`${renderLine(elapsed(), daemon, core, counters.actions - lastActions)} (settling)`);
      lastActions = counters.actions;
    }
    const summary = summarize(daemon, core, counters);
    for (const line of summary.lines) log(line);
    return summary.ok ? 0 : 1;
  } finally {
    await daemon.controller.stop(2000);
    await obs.close();
    await daemon.close();
    await client.close();
    await sim.close();
    const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    await deleteStoreKeys(r, prefix);
    r.disconnect();
    await redis.stop();
  }
}

