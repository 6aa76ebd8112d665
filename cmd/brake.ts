/**
 * `reconciler brake release` / `reconciler brake status`: the operator's side of the
 * desired-state brake. Release writes a fresh release request under the store's hash tag; every
 * replica with an engaged brake releases it within a second and accepts desired state as it is
 * now (stops resume, under the stop budget). Status prints the state the leader last published
 * and exits 3 while the brake is engaged (0 otherwise). Redis and the prefix come from the same
 * environment as `reconciler run`.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';

export function registerBrakeCommand(program: Command): void {
  const brake = program.command('brake').description('the desired-state safety brake (stops pause when desired state vanishes or shrinks abruptly)');
  brake
    .command('release')
    .description('release an engaged brake: accept desired state as it is now, stops resume (under the stop budget)')
    .option('--by <who>', 'who releases it (recorded)', () => `${userInfo().username}@${hostname()}`)
    .action(async (o: { by: string | (() => string) }) => {
      const by = typeof o.by === 'function' ? o.by() : o.by;
      await (await import('./actions/brake.js')).brakeRelease(by);
    });
  brake
    .command('status')
    .description('print the brake state the leader last published (json); exit code 3 while engaged, 0 otherwise')
    .action(async () => {
      await (await import('./actions/brake.js')).brakeStatus();
    });
}
