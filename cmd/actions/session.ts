/** Actions of `reconciler session apply|delete`, and the client the CLI's Redis verbs share. */
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import type { Persistence } from '../../src/desired/schema.js';
import { templateNamesFromEnv } from './controller-env.js';

/** Runs `fn` with a connected client (template allow-list from the controller's variables, when set) and always closes it. */
export async function withSessionClient<T>(fn: (client: SessionClient) => Promise<T>): Promise<T> {
  const client = connectSessionClient({ templates: templateNamesFromEnv() });
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

/** Options of `session apply`, as commander parses them. */
export interface ApplyOptions {
  id: string;
  user: string;
  template: string;
  persistence: string;
  env?: string[];
  label?: string[];
}

export async function sessionApply(o: ApplyOptions): Promise<void> {
  await withSessionClient(async (client) => {
    const r = await client.ensureSession({
      id: o.id, userId: o.user, template: o.template, persistence: o.persistence as Persistence,
      env: pairs(o.env, 'env'), labels: pairs(o.label, 'label'),
    });
    console.log(`session ${o.id} ${r.changed ? 'applied' : 'unchanged'} (generation ${r.spec.generation})`);
  });
}

export async function sessionDelete(id: string): Promise<void> {
  await withSessionClient(async (client) => {
    const deleted = await client.deleteSession(id);
    console.log(deleted ? `session ${id} deleted` : `session ${id} not found (or already deleted)`);
  });
}
