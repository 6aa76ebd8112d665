/**
 * Makes a decoded desired record (spec, status, pool) small to keep, before the decode memo
 * freezes and shares it (docs/performance.md, finding 7):
 * - the value is rebuilt from its JSON: V8 gives an object that JSON.parse makes its properties
 *   in-object, while the objects that schema validation builds property by property keep most
 *   of theirs in a separate property array (at 100,000 sessions, ~600,000 property arrays,
 *   34 MB); the rebuilt value is equal to the input (records are JSON: no undefined, no Dates);
 * - values of fields that recur across sessions become one shared string instance each
 *   (common/string-interner.ts);
 * - every empty object (a spec's `env: {}` and `labels: {}`) becomes one shared frozen `{}`.
 *
 * Rules: returns a new value equal to `value` (call it on a value nobody else needs to be the same
 * instance); recurses into objects and arrays, but does not intern inside `env` and `labels` (the
 * gateway's data: an env variable named `status` is not a status, and its value may be a secret
 * that must not outlive its session in a shared table); strings under other field names (ids,
 * user ids, addresses, task ARNs) are left alone, since they are unique per session.
 */
import { sharedInterner } from '../common/string-interner.js';

/** Field names whose string values come from a small set (schema.ts: phases, conditions, templates). */
const SHARED_FIELDS: ReadonlySet<string> = new Set(['phase', 'type', 'status', 'reason', 'message', 'template', 'persistence']);

/** Fields holding the gateway's own data (environment values, labels): never interned, however their keys are named. */
const USER_DATA_FIELDS: ReadonlySet<string> = new Set(['env', 'labels']);

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

export function compactRecord<T>(value: T): T {
  if (value === undefined) return value;
  return share(JSON.parse(JSON.stringify(value)) as unknown, false) as T;
}

/** Interns shared fields' strings (unless inside user data) and shares empty objects, in place. */
function share(v: unknown, userData: boolean): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = share(v[i], userData);
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 0) return EMPTY;
  for (const k of keys) {
    const x = o[k];
    if (typeof x === 'string') {
      if (!userData && SHARED_FIELDS.has(k)) o[k] = sharedInterner.intern(x);
    } else if (x !== null && typeof x === 'object') o[k] = share(x, userData || USER_DATA_FIELDS.has(k));
  }
  return o;
}
