/**
 * `reconciler run`: the daemon. Config from the environment, validated at start-up. The list
 * of variables in `run --help` is loaded only when that help is asked for (see preloadRunHelp).
 */
import type { Command } from 'commander';
import { catchEarlySignals, type EarlySignals } from '../src/app/early-signals.js';

let envHelp = '';
let earlySignals: EarlySignals | undefined;

/**
 * Prepares the `run` verb; main() calls it first for that verb only. It records SIGTERM/SIGINT
 * from this moment (a stop during start-up still exits 0) and loads the environment-variable
 * list shown after `run --help`.
 */
export async function prepareRun(started?: EarlySignals): Promise<void> {
  earlySignals ??= started ?? catchEarlySignals();
  envHelp = (await import('../src/config/env-help.js')).envVarsHelp();
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the reconciler daemon (configured by environment variables, listed by `reconciler run --help`)')
    .addHelpText('after', () => envHelp)
    .action(async () => {
      const [{ loadConfig }, { runDaemon }] = await Promise.all([import('../src/config/load.js'), import('../src/app/run-daemon.js')]);
      process.exitCode = await runDaemon(loadConfig(), { earlySignals });
    });
}
