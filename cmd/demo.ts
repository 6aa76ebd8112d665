/**
 * `reconciler demo`: the real controller against the ECS/EFS simulator and Redis, with a
 * scripted gateway and (by default) a few injected faults. `--sim-only` runs the simulator demo.
 */
import type { Command } from 'commander';
import { intOption } from './int-option.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the controller against the simulator and Redis with a scripted gateway and injected faults')
    .option('--duration <seconds>', 'how long to run', intOption('--duration', 1, 3600), 30)
    .option('--sessions <n>', 'sessions the gateway creates', intOption('--sessions', 1, 5000), 40)
    .option('--no-chaos', 'no injected faults')
    .option('--sim-only', 'only the simulator demo (no Redis needed)')
    .action(async (opts: { duration: number; sessions: number; chaos: boolean; simOnly?: boolean }) => {
      const code = opts.simOnly
        ? (await (await import('../src/sim/demo-script.js')).runSimDemo((line) => console.log(line))) > 0 ? 1 : 0
        : await (await import('../src/demo/run-demo.js')).runDemo({ durationS: opts.duration, sessions: opts.sessions, chaos: opts.chaos });
      process.exitCode = code;
    });
}
