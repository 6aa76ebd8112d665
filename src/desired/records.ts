/**
 * Store-independent rules for spec records: input validation, when a write is a "real change"
 * (which bumps `generation`), tombstones, and how decoded records combine into a SessionEntry.
 * Both store implementations use these, so they cannot drift apart.
 */
import type { z } from 'zod';
import {
  RECORD_MAX_BYTES,
  SCHEMA_VERSION,
  SessionSpecInputSchema,
  WARM_POOL_TARGET_MAX,
  PoolNameSchema,
  TemplateNameSchema,
  type SessionSpec,
  type SessionSpecContent,
  type SessionStatus,
  type WarmPoolSpec,
} from './schema.js';
import { InvalidSpecError, OversizeError, UnknownTemplateError } from './errors.js';
import type { Decoded } from './decode.js';
import type { SessionEntry } from './types.js';
import { createHash } from 'node:crypto';

export interface InputRules {
  /** Allowed template names; undefined = not known here (the controller still enforces its own). */
  templates?: readonly string[];
  /** Upper bound for warm-pool targets (default WARM_POOL_TARGET_MAX). */
  warmPoolTargetMax?: number;
}

/**
 * Validates what the gateway passed to `ensureSession`. Throws InvalidSpecError (field + why),
 * OversizeError (the spec would exceed RECORD_MAX_BYTES) or UnknownTemplateError.
 */
export function parseSessionInput(input: unknown, rules: InputRules = {}): SessionSpecContent {
  const r = SessionSpecInputSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : '';
    const oversize = issue ? oversizeOf(issue, input) : undefined;
    if (oversize) throw new OversizeError(field, oversize.size, oversize.limit, oversize.unit);
    const why = issue?.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : (issue?.message ?? 'invalid');
    throw new InvalidSpecError(field, why, { cause: r.error });
  }
  const content = r.data;
  const size = Buffer.byteLength(JSON.stringify(content));
  // Room for the fields the store adds (generation, times, tombstone): 256 bytes.
  if (size + 256 > RECORD_MAX_BYTES) throw new OversizeError('spec', size, RECORD_MAX_BYTES - 256);
  checkTemplate(content.template, rules);
  return content;
}

type Unit = 'bytes' | 'chars' | 'entries';

/** Recognises "too big" issues (a too-long string or map, the env total) so they become OversizeError. */
function oversizeOf(issue: z.core.$ZodIssue, input: unknown): { size: number; limit: number; unit: Unit } | undefined {
  if (issue.code === 'too_big' && issue.origin === 'string') {
    let v: unknown = input;
    for (const k of issue.path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined;
    return { size: typeof v === 'string' ? v.length : Number(issue.maximum) + 1, limit: Number(issue.maximum), unit: 'chars' };
  }
  if (issue.code === 'custom') {
    const o = (issue.params as { oversize?: { size: number; limit: number; unit: Unit } } | undefined)?.oversize;
    if (o) return o;
  }
  return undefined;
}

function checkTemplate(template: string, rules: InputRules): void {
  if (rules.templates && !rules.templates.includes(template)) throw new UnknownTemplateError(template, rules.templates);
}

/** Validates a warm-pool write; throws the same typed errors as parseSessionInput. */
export function parsePoolInput(name: string, template: string, target: number, rules: InputRules = {}): void {
  const n = PoolNameSchema.safeParse(name);
  if (!n.success) throw new InvalidSpecError('pool', n.error.issues[0]?.message ?? 'invalid', { cause: n.error });
  const t = TemplateNameSchema.safeParse(template);
  if (!t.success) throw new InvalidSpecError('template', t.error.issues[0]?.message ?? 'invalid', { cause: t.error });
  const max = rules.warmPoolTargetMax ?? WARM_POOL_TARGET_MAX;
  if (!Number.isInteger(target) || target < 0 || target > max) {
    throw new InvalidSpecError('target', `must be an integer in 0..${max}, got ${target}`);
  }
  checkTemplate(template, rules);
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const ak = Object.keys(a);
  if (ak.length !== Object.keys(b).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** True when `spec` already says what `content` says (so writing it again is not a change). */
export function sameContent(spec: SessionSpec, content: SessionSpecContent): boolean {
  return (
    !spec.deleted &&
    spec.userId === content.userId &&
    spec.template === content.template &&
    spec.persistence === content.persistence &&
    sameMap(spec.env, content.env) &&
    sameMap(spec.labels, content.labels) &&
    spec.lifetime?.idleTimeoutSeconds === content.lifetime?.idleTimeoutSeconds &&
    spec.lifetime?.maxLifetimeSeconds === content.lifetime?.maxLifetimeSeconds
  );
}

/**
 * True when `status` says the life of `spec` expired (phase Expired for its generation): then
 * `ensureSession` starts a new life, and `touchSession` is refused.
 */
export function isExpired(spec: SessionSpec | undefined, status: SessionStatus | undefined): boolean {
  return spec !== undefined && !spec.deleted && status?.phase === 'Expired' && status.observedGeneration === spec.generation;
}

/** Decodes a stored activity time (decimal epoch ms); undefined for absent or unreadable values. */
export function parseActivity(raw: string | Buffer | null | undefined): number | undefined {
  if (raw === null || raw === undefined) return undefined;
  const n = Number(raw.toString());
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The uid of a new life: derived from the id, the creation time and the generation it starts
 * at (deterministic, so a simulated world replays identically; two lives of one id differ in
 * time or generation).
 */
export function lifeUid(id: string, createdAt: number, generation: number): string {
  return createHash('sha256').update(`${id}\u0000${createdAt}\u0000${generation}`).digest('hex').slice(0, 24);
}

/**
 * The spec to store for `content`, or undefined when nothing changes. `generationFloor` is
 * the highest generation known for this id when the previous record is unreadable (e.g. the
 * status's observedGeneration), so generations never go backwards. `expired`: the previous
 * life ended by its lifetime (isExpired): a new life starts (new uid and `createdAt`, so its
 * lifetime counts from now), even with the same content.
 */
export function nextSessionSpec(
  prev: SessionSpec | undefined,
  generationFloor: number,
  content: SessionSpecContent,
  now: number,
  expired = false,
): SessionSpec | undefined {
  if (prev && !expired && sameContent(prev, content)) return undefined;
  const revive = !prev || prev.deleted || expired;
  const generation = Math.max(prev?.generation ?? 0, generationFloor) + 1;
  const uid = revive ? lifeUid(content.id, now, generation) : prev.uid;
  return {
    schemaVersion: SCHEMA_VERSION,
    id: content.id,
    userId: content.userId,
    template: content.template,
    env: content.env,
    persistence: content.persistence,
    labels: content.labels,
    ...(content.lifetime !== undefined ? { lifetime: content.lifetime } : {}),
    generation,
    ...(uid !== undefined ? { uid } : {}),
    deleted: false,
    createdAt: revive ? now : prev.createdAt,
    updatedAt: now,
  };
}

/** The tombstone replacing `prev`, or undefined when it is already one. */
export function tombstoneOf(prev: SessionSpec, now: number): SessionSpec | undefined {
  if (prev.deleted) return undefined;
  return { ...prev, deleted: true, deletedAt: now, updatedAt: now, generation: prev.generation + 1 };
}

/** The pool spec to store, or undefined when template and target are unchanged. */
export function nextPoolSpec(prev: WarmPoolSpec | undefined, name: string, template: string, target: number, now: number): WarmPoolSpec | undefined {
  if (prev && prev.template === template && prev.target === target) return undefined;
  return { schemaVersion: SCHEMA_VERSION, name, template, target, generation: (prev?.generation ?? 0) + 1, updatedAt: now };
}

/** Combines decoded records into an entry (see SessionEntry for the rules); undefined when both are absent. */
export function toSessionEntry(
  id: string,
  spec: Decoded<SessionSpec>,
  status: Decoded<SessionStatus>,
  lastActivityAt?: number,
): SessionEntry | undefined {
  if (spec.kind === 'absent' && status.kind === 'absent') return undefined;
  // The spec's own id (equal to `id`: decoding checks it) so the entry holds no second copy.
  const key = spec.kind === 'ok' ? spec.value.id : id;
  const specValue = spec.kind === 'ok' ? spec.value : undefined;
  const statusValue = status.kind === 'ok' ? status.value : undefined;
  const invalid = spec.kind === 'invalid' ? spec.invalid : status.kind === 'invalid' ? status.invalid : undefined;
  // The usual shapes as one literal each, so V8 keeps their properties in the object itself
  // (an entry grown property by property carries a separate property array: docs/performance.md, finding 7).
  let entry: SessionEntry;
  if (specValue && statusValue && !invalid) entry = lastActivityAt === undefined ? { id: key, spec: specValue, status: statusValue } : { id: key, spec: specValue, status: statusValue, lastActivityAt };
  else {
    entry = { id: key };
    if (specValue) entry.spec = specValue;
    if (statusValue) entry.status = statusValue;
    if (invalid) entry.invalid = invalid;
    if (lastActivityAt !== undefined) entry.lastActivityAt = lastActivityAt;
  }
  return entry;
}
