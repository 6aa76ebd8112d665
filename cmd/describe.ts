/**
 * `reconciler describe session ID [-o text|json]`: spec, status, conditions, the last events,
 * and why the session is not converged yet (the blocking reason and when the next attempt is
 * due). Redis from REDIS_URL / REDIS_SENTINELS / REDIS_CLUSTER_NODES, prefix from
 * RECONCILER_REDIS_PREFIX (default `esr`).
 * `reconciler describe pool NAME [-o text|json]`: a warm pool's spec and status, and why it
 * cannot start tasks when it cannot.
 */
import type { Command } from 'commander';

export function registerDescribeCommand(program: Command): void {
  const describe = program.command('describe').description('explain one object: state, events, and why it is not converged');
  describe
    .command('session <id>')
    .description('spec, status, conditions, recent events, and the reason it is not converged yet')
    .option('-o, --output <format>', 'text | json', 'text')
    .option('--events <n>', 'events to show (newest first)', '20')
    .action(async (id: string, o: { output: string; events: string }) => {
      if (o.output !== 'text' && o.output !== 'json') throw new Error(`-o must be text or json, got "${o.output}"`);
      await (await import('./actions/describe.js')).describeSessionCommand(id, { output: o.output, events: o.events });
    });
  describe
    .command('pool <name>')
    .description("a warm pool's target, batches, and whether it can start tasks (failed starts, breaker)")
    .option('-o, --output <format>', 'text | json', 'text')
    .action(async (name: string, o: { output: string }) => {
      if (o.output !== 'text' && o.output !== 'json') throw new Error(`-o must be text or json, got "${o.output}"`);
      await (await import('./actions/describe-pool.js')).describePoolCommand(name, { output: o.output });
    });
}
