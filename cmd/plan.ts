/**
 * `reconciler plan [-o table|json]`: the plan from live state, without acting. Exit codes
 * follow terraform's `-detailed-exitcode`: 0 nothing to do, 2 actions planned, 1 error.
 */
import type { Command } from 'commander';
import { loadConfig } from '../src/config/load.js';
import { buildDaemon } from '../src/app/daemon.js';
import { formatPlanTable } from '../src/controller/plan/format.js';

export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('compute the plan from live Redis and ECS state without acting (exit 0: converged, 2: changes planned, 1: error)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action(async (opts: { output: string }) => {
      if (opts.output !== 'table' && opts.output !== 'json') throw new Error(`--output must be table or json, got ${opts.output}`);
      const daemon = buildDaemon(loadConfig());
      try {
        await daemon.controller.fullSync();
        const plans = daemon.controller.planAll();
        const actions = plans.flatMap((p) => p.actions);
        if (opts.output === 'json') console.log(JSON.stringify({ actions }, null, 2));
        else console.log(formatPlanTable(actions));
        process.exitCode = actions.length === 0 ? 0 : 2;
      } finally {
        await daemon.close();
      }
    });
}
