/**
 * `reconciler demo`: for now, the simulator demo (src/sim/demo-script.ts) — the simulator served
 * over HTTP and driven by the real AWS SDK. Exits non-zero when a check fails.
 */
import type { Command } from 'commander';
import { runSimDemo } from '../src/sim/demo-script.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the ECS/EFS simulator demo: tasks through their lifecycle, clientToken replay, an injected crash')
    .action(async () => {
      const problems = await runSimDemo((line) => console.log(line));
      if (problems > 0) process.exitCode = 1;
    });
}
