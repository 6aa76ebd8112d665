/**
 * Makes a decoded desired record (spec, status, pool) small to keep, before the decode memo
 * freezes and shares it: values of fields that recur across sessions become one shared string
 * instance each (common/string-interner.ts), and every empty object (a spec's `env: {}` and
 * `labels: {}`) becomes one shared frozen `{}`. At 100,000 sessions these copies were ~40 MB of
 * the daemon's heap (docs/performance.md, finding 7). Values are unchanged; only instances are.
 *
 * Rules: mutates `value` in place (call it before freezing, on a value nobody else holds);
 * recurses into objects and arrays, but not into `env` and `labels` (the gateway's data: an env
 * variable named `status` is not a status, and its value may be a secret that must not outlive its
 * session in a shared table); strings under other field names (ids, user ids, addresses, task
 * ARNs) are left alone, since they are unique per session.
 */
import { sharedInterner } from '../common/string-interner.js';

/** Field names whose string values come from a small set (schema.ts: phases, conditions, templates). */
const SHARED_FIELDS: ReadonlySet<string> = new Set(['phase', 'type', 'status', 'reason', 'message', 'template', 'persistence']);

/** Fields holding the gateway's own data (environment values, labels): never interned, however their keys are named. */
const USER_DATA_FIELDS: ReadonlySet<string> = new Set(['env', 'labels']);

const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

export function compactRecord<T>(value: T): T {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = compactChild(value[i], undefined);
    return value;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) o[k] = compactChild(o[k], k);
  }
  return value;
}

function compactChild(v: unknown, field: string | undefined): unknown {
  if (typeof v === 'string') return field !== undefined && SHARED_FIELDS.has(field) ? sharedInterner.intern(v) : v;
  if (v === null || typeof v !== 'object') return v;
  if (!Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype && Object.keys(v).length === 0) return EMPTY;
  return field !== undefined && USER_DATA_FIELDS.has(field) ? v : compactRecord(v);
}
