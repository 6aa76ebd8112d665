/** Action of `reconciler sim`: the ECS/EFS/SQS simulator (loaded only when the verb runs). */
import { readFileSync } from 'node:fs';
import { SimCore } from '../../src/sim/core.js';
import { parseFaultConfig } from '../../src/sim/faults.js';
import { startSimServer } from '../../src/sim/http-server.js';
import { profileByName } from '../../src/sim/profiles.js';
import { simEnv } from '../../src/sim/sdk-clients.js';

/** Reads a fault profile (JSON, the FaultConfig shape); errors name the file. */
export function loadFaultsFile(path: string): ReturnType<typeof parseFaultConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read fault profile ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseFaultConfig(raw);
  } catch (err) {
    throw new Error(`fault profile ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** Options of `reconciler sim`, as commander parses them. */
export interface SimOptions {
  port: number;
  host: string;
  seed: number;
  profile: string;
  faults?: string;
  throttle: boolean;
  /** Deliver ECS task state change events into the simulator's SQS queue (--no-events: false). */
  events: boolean;
}

/** Serves the simulator until SIGINT/SIGTERM. */
export async function serveSimulator(opts: SimOptions): Promise<void> {
  const profile = profileByName(opts.profile);
  const faults = opts.faults ? loadFaultsFile(opts.faults) : undefined;
  const core = new SimCore({ profile, seed: opts.seed, faults, limits: opts.throttle ? undefined : false, taskEvents: opts.events });
  const server = await startSimServer({ core, port: opts.port, host: opts.host });
  console.log(`ECS/EFS simulator listening on ${server.url} (profile ${profile.name}, seed ${opts.seed}, throttling ${opts.throttle ? 'on' : 'off'})`);
  console.log('Point an AWS SDK or CLI at it with:');
  for (const [k, v] of Object.entries(simEnv(server.url))) console.log(`  export ${k}=${v}`);
  const queueUrl = core.taskEventsQueueUrl(server.url);
  if (queueUrl) {
    console.log('ECS task state change events (EventBridge -> SQS) are delivered to a queue; the controller reads them with:');
    console.log(`  export RECONCILER_EVENTS_QUEUE_URL=${queueUrl}`);
  }
  console.log(`Control: GET ${server.url}/_sim/state, GET /_sim/stats, PUT|POST /_sim/faults, POST /_sim/tasks/crash, POST /_sim/reset`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  console.log('simulator stopped');
}
