/**
 * `reconciler sim`: serves the ECS/EFS/SQS simulator on 127.0.0.1 until SIGINT/SIGTERM and prints
 * the environment that points any AWS SDK (and the controller's task-event source) at it.
 */
import type { Command } from 'commander';
import { intOption } from './int-option.js';
import type { SimOptions } from './actions/sim.js';

export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('serve the ECS/EFS simulator (AWS wire protocol), on 127.0.0.1 unless --host says otherwise')
    .option('--port <n>', 'port to listen on (0 = any free port)', intOption('--port', 0, 65535), 0)
    .option('--host <address>', 'address to bind (0.0.0.0 in a container so other containers reach it)', '127.0.0.1')
    .option('--seed <n>', 'seed for IDs, timings and faults', intOption('--seed', 0, 2 ** 32 - 1), 1)
    .option('--profile <name>', 'timing profile: fargate | fast | instant', 'fargate')
    .option('--faults <file>', 'JSON fault profile applied at start-up')
    .option('--no-throttle', 'disable ECS/EFS throttling')
    .option('--no-events', 'do not deliver ECS task state change events into the SQS queue')
    .action(async (opts: SimOptions) => {
      await (await import('./actions/sim.js')).serveSimulator(opts);
    });
}
