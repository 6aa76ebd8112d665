/** `reconciler warm-pool set POOL N [--template T]`: sets a warm pool's target size. */
import type { Command } from 'commander';

export function registerWarmPoolCommand(program: Command): void {
  const pool = program.command('warm-pool').description('warm-pool targets');
  pool
    .command('set <pool> <target>')
    .description('set the number of idle pre-started tasks wanted in POOL')
    .option('--template <name>', 'template of the pool (required when the pool is new)')
    .action(async (name: string, target: string, o: { template?: string }) => {
      await (await import('./actions/warm-pool.js')).warmPoolSet(name, Number(target), o.template);
    });
}
