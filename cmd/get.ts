/**
 * `reconciler get sessions|session ID|pools|tasks [-o table|json]`: desired state and status
 * from Redis; pools and tasks also read ECS (with the controller's configuration).
 */
import type { Command } from 'commander';

function checkOutput(o: string): 'table' | 'json' {
  if (o !== 'table' && o !== 'json') throw new Error(`-o must be table or json, got "${o}"`);
  return o;
}

export function registerGetCommand(program: Command): void {
  const get = program.command('get').description('show desired state and status');
  get
    .command('sessions')
    .description('list every session with its status')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (o: { output: string }) => {
      const format = checkOutput(o.output);
      await (await import('./actions/get.js')).getSessions(format);
    });
  get
    .command('session <id>')
    .description('show one session (spec, status, validation problem)')
    .option('-o, --output <format>', 'json | table', 'json')
    .action(async (id: string, o: { output: string }) => {
      const format = checkOutput(o.output);
      await (await import('./actions/get.js')).getSession(id, format);
    });
  get
    .command('pools')
    .description('warm pools: target from Redis, idle/starting tasks from ECS (when the controller config is set)')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (o: { output: string }) => {
      const format = checkOutput(o.output);
      await (await import('./actions/get-extra.js')).getPools(format);
    });
  get
    .command('tasks')
    .description('the ECS tasks of this controller (owner tag), live and recently stopped')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (o: { output: string }) => {
      const format = checkOutput(o.output);
      await (await import('./actions/get-extra.js')).getTasks(format);
    });
}
