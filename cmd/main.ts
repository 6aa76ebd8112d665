/**
 * The `reconciler` CLI: wiring only. Each verb lives in its own file and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerDemoCommand } from './demo.js';
import { registerSimCommand } from './sim.js';
import { registerRunCommand } from './run.js';
import { registerPlanCommand } from './plan.js';
import { registerSessionCommand } from './session.js';
import { registerWarmPoolCommand } from './warm-pool.js';
import { registerGetCommand } from './get.js';
import { registerGetExtraCommands } from './get-extra.js';
import { registerDescribeCommand } from './describe.js';
import { registerBrakeCommand } from './brake.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export function buildProgram(): Command {
  const program = new Command('reconciler')
    .description('Level-triggered reconciler for per-user session containers on AWS ECS')
    .version(pkg.version)
    .showHelpAfterError()
    .exitOverride();
  registerSimCommand(program);
  registerDemoCommand(program);
  registerRunCommand(program);
  registerPlanCommand(program);
  registerSessionCommand(program);
  registerWarmPoolCommand(program);
  registerGetCommand(program);
  registerGetExtraCommands(program);
  registerDescribeCommand(program);
  registerBrakeCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
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
