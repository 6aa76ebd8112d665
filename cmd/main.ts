/**
 * The `reconciler` CLI: wiring only. Each verb lives in its own file and registers itself here;
 * a verb's implementation (and the AWS SDK, Redis client, logger it needs) is imported only
 * when that verb runs, so `reconciler --help` and the Redis-only verbs start fast.
 */
import { Command, CommanderError } from 'commander';
import type { EarlySignals } from '../src/app/early-signals.js';
import { packageVersion } from '../src/common/package-info.js';
import { registerBrakeCommand } from './brake.js';
import { registerDemoCommand } from './demo.js';
import { registerDescribeCommand } from './describe.js';
import { registerGetCommand } from './get.js';
import { registerPlanCommand } from './plan.js';
import { prepareRun, registerRunCommand } from './run.js';
import { registerSessionCommand } from './session.js';
import { registerSimCommand } from './sim.js';
import { registerWarmPoolCommand } from './warm-pool.js';

export function buildProgram(): Command {
  const program = new Command('reconciler')
    .description('Level-triggered reconciler for per-user session containers on AWS ECS')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerSimCommand(program);
  registerDemoCommand(program);
  registerRunCommand(program);
  registerPlanCommand(program);
  registerSessionCommand(program);
  registerWarmPoolCommand(program);
  registerGetCommand(program);
  registerDescribeCommand(program);
  registerBrakeCommand(program);
  return program;
}

/**
 * Runs the CLI. `earlySignals`: a recorder the entry script started before loading this code
 * (bin/reconciler.js, for `run`); otherwise `run` starts one here.
 */
export async function main(argv: string[], opts: { earlySignals?: EarlySignals } = {}): Promise<void> {
  const program = buildProgram();
  try {
    if (argv.slice(2).find((a) => !a.startsWith('-')) === 'run') await prepareRun(opts.earlySignals);
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode;
      return;
    }
    console.error(`reconciler: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}
