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
  return canonical({ ...a, updatedAt: 0 }) === canonical({ ...b, updatedAt: 0 });
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([x], [y]) => x.localeCompare(y)))
      : val,
  );
}
