/**
 * Pure helpers to derive the next status from the current one. Conditions keep their
 * `lastTransitionTime` unless their `status` value actually changes (Kubernetes semantics).
 */
import { SCHEMA_VERSION, type Condition, type ConditionStatus, type SessionStatus } from '../../desired/schema.js';

export function initialStatus(now: number): SessionStatus {
  return {
    schemaVersion: SCHEMA_VERSION,
    phase: 'Pending',
    observedGeneration: 0,
    incarnation: 0,
    conditions: [],
    warm: false,
    attempts: 0,
    updatedAt: now,
  };
}

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** Returns `conditions` with `input` set; the transition time moves only when the status value changes. */
export function setCondition(conditions: readonly Condition[], input: ConditionInput, now: number): Condition[] {
  const prev = conditions.find((c) => c.type === input.type);
  const lastTransitionTime = prev && prev.status === input.status ? prev.lastTransitionTime : now;
  const next: Condition = { ...input, lastTransitionTime };
  const rest = conditions.filter((c) => c.type !== input.type);
  return [...rest, next].sort((a, b) => a.type.localeCompare(b.type));
}

export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

/** Applies several condition inputs in order. */
export function setConditions(conditions: readonly Condition[], inputs: readonly ConditionInput[], now: number): Condition[] {
  let out = [...conditions];
  for (const input of inputs) out = setCondition(out, input, now);
  return out;
}

/** Structural equality of two statuses, ignoring `updatedAt` (a rewrite of the same facts is not drift). */
export function sameStatus(a: SessionStatus | undefined, b: SessionStatus | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return deepEqual(a, b, 'updatedAt');
}

/**
 * Deep equality of JSON-like values where a member set to `undefined` equals an absent one
 * (as after a JSON round trip); `skipKey` is ignored at the top level.
 */
function deepEqual(a: unknown, b: unknown, skipKey?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k in ra) if (k !== skipKey && !deepEqual(ra[k], rb[k])) return false;
  for (const k in rb) if (k !== skipKey && ra[k] === undefined && rb[k] !== undefined) return false;
  return true;
}
