/**
 * `reconciler session apply|delete`: writes session specs through the gateway's client
 * library (same validation, same Redis records). Redis from REDIS_URL / REDIS_SENTINELS /
 * REDIS_CLUSTER_NODES, key prefix from RECONCILER_REDIS_PREFIX (default `esr`).
 */
import type { Command } from 'commander';
import { connectSessionClient, type SessionClient } from '../src/desired/client.js';

/** Template allow-list from RECONCILER_TEMPLATES (JSON object keyed by name), when set. */
function templatesFromEnv(): string[] | undefined {
  const raw = process.env.RECONCILER_TEMPLATES;
  if (!raw) return undefined;
  try {
    return Object.keys(JSON.parse(raw) as Record<string, unknown>);
  } catch (err) {
    throw new Error(`RECONCILER_TEMPLATES is not a JSON object: ${(err as Error).message}`, { cause: err });
  }
}

/** Runs `fn` with a connected client and always closes it. */
export async function withSessionClient<T>(fn: (client: SessionClient) => Promise<T>): Promise<T> {
  const client = connectSessionClient({ templates: templatesFromEnv() });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Parses repeated `KEY=VALUE` options into an object. */
function pairs(values: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`--${what} expects KEY=VALUE, got "${v}"`);
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

interface ApplyOptions {
  id: string;
  user: string;
  template: string;
  persistence: string;
  env?: string[];
  label?: string[];
}

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
    .action(async (o: ApplyOptions) => {
      await withSessionClient(async (client) => {
        const r = await client.ensureSession({
          id: o.id, userId: o.user, template: o.template, persistence: o.persistence as 'preferred',
          env: pairs(o.env, 'env'), labels: pairs(o.label, 'label'),
        });
        console.log(`session ${o.id} ${r.changed ? 'applied' : 'unchanged'} (generation ${r.spec.generation})`);
      });
    });
  session
    .command('delete <id>')
    .description('mark a session deleted (the controller stops its task, then removes the record)')
    .action(async (id: string) => {
      await withSessionClient(async (client) => {
        const deleted = await client.deleteSession(id);
        console.log(deleted ? `session ${id} deleted` : `session ${id} not found (or already deleted)`);
      });
    });
}
