/**
 * `reconciler demo`: the real controller against the ECS/EFS simulator and Redis, with a
 * scripted gateway and (by default) a few injected faults. `--sim-only` runs the simulator demo.
 */
import { Command, InvalidArgumentError } from 'commander';
import { runDemo } from '../src/demo/run-demo.js';
import { runSimDemo } from '../src/sim/demo-script.js';

function positiveInt(name: string, max: number) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`${name} must be an integer in 1..${max}`);
    return n;
  };
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('run the controller against the simulator and Redis with a scripted gateway and injected faults')
    .option('--duration <seconds>', 'how long to run', positiveInt('--duration', 3600), 30)
    .option('--sessions <n>', 'sessions the gateway creates', positiveInt('--sessions', 5000), 40)
    .option('--no-chaos', 'no injected faults')
    .option('--sim-only', 'only the simulator demo (no Redis needed)')
    .action(async (opts: { duration: number; sessions: number; chaos: boolean; simOnly?: boolean }) => {
      const code = opts.simOnly
        ? (await runSimDemo((line) => console.log(line))) > 0 ? 1 : 0
        : await runDemo({ durationS: opts.duration, sessions: opts.sessions, chaos: opts.chaos });
      process.exitCode = code;
    });
}
