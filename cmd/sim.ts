/**
 * `reconciler sim`: serves the ECS/EFS/SQS simulator on 127.0.0.1 until SIGINT/SIGTERM and prints
 * the environment that points any AWS SDK (and the controller's task-event source) at it.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { SimCore } from '../src/sim/core.js';
import { parseFaultConfig } from '../src/sim/faults.js';
import { startSimServer } from '../src/sim/http-server.js';
import { profileByName } from '../src/sim/profiles.js';
import { simEnv } from '../src/sim/sdk-clients.js';

function intArg(name: string, min: number, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer in [${min}, ${max}]`);
    return n;
  };
}

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

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('serve the ECS/EFS simulator (AWS wire protocol), on 127.0.0.1 unless --host says otherwise')
    .option('--port <n>', 'port to listen on (0 = any free port)', intArg('--port', 0, 65535), 0)
    .option('--host <address>', 'address to bind (0.0.0.0 in a container so other containers reach it)', '127.0.0.1')
    .option('--seed <n>', 'seed for IDs, timings and faults', intArg('--seed', 0, 2 ** 32 - 1), 1)
    .option('--profile <name>', 'timing profile: fargate | fast | instant', 'fargate')
    .option('--faults <file>', 'JSON fault profile applied at start-up')
    .option('--no-throttle', 'disable ECS/EFS throttling')
    .option('--no-events', 'do not deliver ECS task state change events into the SQS queue')
    .action(async (opts: { port: number; host: string; seed: number; profile: string; faults?: string; throttle: boolean; events: boolean }) => {
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
    });
}
