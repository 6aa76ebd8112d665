/** `reconciler run`: the daemon. Config from the environment, validated at start-up. */
import type { Command } from 'commander';
import { loadConfig } from '../src/config/load.js';
import { envVarsHelp } from '../src/config/env-help.js';
import { runDaemon } from '../src/app/run-daemon.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run the reconciler daemon (configured by environment variables, listed below)')
    .addHelpText('after', envVarsHelp())
    .action(async () => {
      const config = loadConfig();
      const code = await runDaemon(config);
      process.exitCode = code;
    });
}
