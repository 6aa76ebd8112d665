/**
 * The tags every launched task carries (see TAG in model.ts), and their readers.
 *
 * ECS tag limits (user tags): key 1..128 chars, value 0..256 chars, characters limited to
 * Unicode letters, digits, whitespace and `_ . : / = + - @`; keys must not start with
 * `aws:` (reserved); at most 50 tags per resource.
 */
import { TAG, type ObservedTask, type TaskRole } from './model.js';
import type { Tags } from './aws-api.js';

export const TAG_KEY_MAX = 128;
export const TAG_VALUE_MAX = 256;
export const TAGS_PER_RESOURCE_MAX = 50;
const ALLOWED = /^[\p{L}\p{N}\s_.:/=+\-@]*$/u;

export class InvalidTagError extends Error {
  constructor(
    message: string,
    readonly key: string,
  ) {
    super(message);
    this.name = 'InvalidTagError';
  }
}

/** Throws InvalidTagError naming the first tag that breaks an ECS limit. */
export function validateTags(tags: Tags): void {
  const entries = Object.entries(tags);
  if (entries.length > TAGS_PER_RESOURCE_MAX) {
    throw new InvalidTagError(`too many tags: ${entries.length} > ${TAGS_PER_RESOURCE_MAX}`, '');
  }
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > TAG_KEY_MAX) {
      throw new InvalidTagError(`tag key length ${key.length} outside 1..${TAG_KEY_MAX}: ${key.slice(0, 40)}`, key);
    }
    if (key.toLowerCase().startsWith('aws:')) throw new InvalidTagError(`tag key uses reserved prefix aws: ${key}`, key);
    if (!ALLOWED.test(key)) throw new InvalidTagError(`tag key has characters ECS rejects: ${key}`, key);
    if (value.length > TAG_VALUE_MAX) {
      throw new InvalidTagError(`tag value for ${key} is ${value.length} chars > ${TAG_VALUE_MAX}`, key);
    }
    if (!ALLOWED.test(value)) throw new InvalidTagError(`tag value for ${key} has characters ECS rejects`, key);
  }
}

export type LaunchTagInput =
  | {
      readonly owner: string;
      readonly role: 'session';
      readonly sessionId: string;
      readonly incarnation: number;
      /** The user the session belongs to (TAG.user). */
      readonly userId?: string;
      readonly specHash?: string;
    }
  | {
      readonly owner: string;
      readonly role: 'warm';
      readonly pool: string;
      readonly specHash?: string;
    };

/** The validated tag set for a launch. Throws InvalidTagError on limit violations. */
export function launchTags(input: LaunchTagInput, extra: Tags = {}): Record<string, string> {
  const tags: Record<string, string> = { ...extra, [TAG.owner]: input.owner, [TAG.role]: input.role };
  if (input.role === 'session') {
    if (!Number.isSafeInteger(input.incarnation) || input.incarnation < 0) {
      throw new InvalidTagError(`incarnation must be a non-negative integer, got ${input.incarnation}`, TAG.incarnation);
    }
    tags[TAG.session] = input.sessionId;
    tags[TAG.incarnation] = String(input.incarnation);
    if (input.userId !== undefined) tags[TAG.user] = input.userId;
  } else {
    tags[TAG.pool] = input.pool;
  }
  if (input.specHash !== undefined) tags[TAG.specHash] = input.specHash;
  validateTags(tags);
  return tags;
}

/** Tags written on a warm task when a session claims it. */
export function claimTags(sessionId: string, incarnation: number, userId?: string, uid?: string): Record<string, string> {
  const tags: Record<string, string> = { [TAG.role]: 'session', [TAG.session]: sessionId, [TAG.incarnation]: String(incarnation) };
  if (userId !== undefined) tags[TAG.user] = userId;
  if (uid !== undefined) tags[TAG.uid] = uid;
  validateTags(tags);
  return tags;
}

type Tagged = Pick<ObservedTask, 'tags'>;

export function ownedBy(task: Tagged, owner: string): boolean {
  return task.tags[TAG.owner] === owner;
}

export function roleOf(task: Tagged): TaskRole | undefined {
  const r = task.tags[TAG.role];
  return r === 'session' || r === 'warm' ? r : undefined;
}

/** The session a task serves; undefined for unclaimed warm tasks or untagged tasks. */
export function sessionIdOf(task: Tagged): string | undefined {
  const s = task.tags[TAG.session];
  return s === undefined || s === '' ? undefined : s;
}

export function poolOf(task: Tagged): string | undefined {
  const p = task.tags[TAG.pool];
  return p === undefined || p === '' ? undefined : p;
}

export function specHashOf(task: Tagged): string | undefined {
  const h = task.tags[TAG.specHash];
  return h === undefined || h === '' ? undefined : h;
}

export function userOf(task: Tagged): string | undefined {
  const u = task.tags[TAG.user];
  return u === undefined || u === '' ? undefined : u;
}
