/**
 * `reconciler session apply|refresh|delete|touch`: writes session specs through the gateway's client
 * library (same validation, same Redis records). Redis from REDIS_URL / REDIS_SENTINELS /
 * REDIS_CLUSTER_NODES, key prefix from RECONCILER_REDIS_PREFIX (default `esr`).
 */
import type { Command } from 'commander';
import type { ApplyOptions } from './actions/session.js';

export function registerSessionCommand(program: Command): void {
  const session = program.command('session').description('write session specs (what the gateway does)');
  session
    .command('apply')
    .description('create or update a session spec (generation is bumped only on a real change)')
    .requiredOption('--id <id>', 'session id: 1-48 chars of [a-z0-9_-]')
    .requiredOption('--user <userId>', 'user id')
    .requiredOption('--template <name>', 'task template name (allow-listed by the controller)')
    .option('--persistence <mode>', 'required | preferred | none', 'preferred')
    .option('--env <NAME=VALUE...>', 'environment override (repeatable)')
    .option('--label <KEY=VALUE...>', 'label (repeatable)')
    .option('--idle-timeout <seconds>', 'lifetime.idleTimeoutSeconds: expire after this long without a touch (0: none, if the controller allows it)')
    .option('--max-lifetime <seconds>', 'lifetime.maxLifetimeSeconds: expire this long after the session started, whatever the touches')
    .action(async (o: ApplyOptions) => {
      await (await import('./actions/session.js')).sessionApply(o);
    });
  session
    .command('touch <id>')
    .description('record activity: the idle timeout counts from now (extend-only, capped by the maximum lifetime; no generation bump)')
    .action(async (id: string) => {
      await (await import('./actions/session.js')).sessionTouch(id);
    });
  session
    .command('refresh <id>')
    .description('ask the controller to look at a session now (a hint, as the gateway sends when its connection to the task drops; at most one a second per session)')
    .action(async (id: string) => {
      await (await import('./actions/session.js')).sessionRefresh(id);
    });
  session
    .command('delete <id>')
    .description('mark a session deleted (the controller stops its task, then removes the record)')
    .action(async (id: string) => {
      await (await import('./actions/session.js')).sessionDelete(id);
    });
}
