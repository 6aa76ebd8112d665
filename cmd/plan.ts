/**
 * `reconciler plan [-o table|json]`: the plan from live state, without acting. Exit codes
 * follow terraform's `-detailed-exitcode`: 0 nothing to do, 2 actions planned, 1 error.
 */
import type { Command } from 'commander';

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('compute the plan from live Redis and ECS state without acting (exit 0: converged, 2: changes planned, 1: error)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: { output: string }) => {
      if (opts.output !== 'table' && opts.output !== 'json') throw new Error(`--output must be table or json, got ${opts.output}`);
      await (await import('./actions/plan.js')).planCommand(opts.output);
    });
}
