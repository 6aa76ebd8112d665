/** Actions of `reconciler session apply|refresh|delete|touch`, and the client the CLI's Redis verbs share. */
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
  idleTimeout?: string;
  maxLifetime?: string;
}

/** A whole number of seconds from an option, or undefined when not given. */
function seconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${option} expects a whole number of seconds, got "${value}"`);
  return Number(value);
}

export async function sessionApply(o: ApplyOptions): Promise<void> {
  await withSessionClient(async (client) => {
    const idleTimeoutSeconds = seconds(o.idleTimeout, 'idle-timeout');
    const maxLifetimeSeconds = seconds(o.maxLifetime, 'max-lifetime');
    const lifetime = idleTimeoutSeconds !== undefined || maxLifetimeSeconds !== undefined
      ? { ...(idleTimeoutSeconds !== undefined ? { idleTimeoutSeconds } : {}), ...(maxLifetimeSeconds !== undefined ? { maxLifetimeSeconds } : {}) }
      : undefined;
    const r = await client.ensureSession({
      id: o.id, userId: o.user, template: o.template, persistence: o.persistence as Persistence,
      env: pairs(o.env, 'env'), labels: pairs(o.label, 'label'), ...(lifetime ? { lifetime } : {}),
    });
    console.log(`session ${o.id} ${r.changed ? 'applied' : 'unchanged'} (generation ${r.spec.generation})`);
  });
}

export async function sessionRefresh(id: string): Promise<void> {
  await withSessionClient(async (client) => {
    const sent = await client.refreshSession(id);
    console.log(sent ? `session ${id}: refresh requested` : `session ${id}: a refresh was requested less than a second ago; this one is dropped`);
  });
}

export async function sessionDelete(id: string): Promise<void> {
  await withSessionClient(async (client) => {
    const deleted = await client.deleteSession(id);
    console.log(deleted ? `session ${id} deleted` : `session ${id} not found (or already deleted)`);
  });
}

/** Records activity; exit code 1 (with the reason) when the session is missing, deleted or expired. */
export async function sessionTouch(id: string): Promise<void> {
  await withSessionClient(async (client) => {
    const r = await client.touchSession(id);
    console.log(`session ${id} touched (last activity ${new Date(r.lastActivityAt).toISOString()})`);
  });
}
