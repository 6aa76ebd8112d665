/**
 * Turns stored bytes into validated records. Never throws: any problem becomes an
 * `InvalidRecord` naming it (oversize, bad UTF-8, bad JSON, unknown schema version, a field
 * that fails the schema, an id that does not match its key).
 */
import type { z } from 'zod';
import {
  RECORD_MAX_BYTES,
  SCHEMA_VERSION,
  SessionSpecSchema,
  SessionStatusSchema,
  WarmPoolSpecSchema,
  type SessionSpec,
  type SessionStatus,
  type WarmPoolSpec,
} from './schema.js';
import type { InvalidRecord } from './types.js';

export type Decoded<T> = { kind: 'absent' } | { kind: 'ok'; value: T } | { kind: 'invalid'; invalid: InvalidRecord };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ABSENT = { kind: 'absent' } as const;

/** Formats the first few zod issues as `record.path: message; ...`. */
export function describeIssues(record: string, error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => {
    const path = i.path.length > 0 ? `${record}.${i.path.map(String).join('.')}` : record;
    return `${path}: ${i.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return parts.join('; ') + more;
}

function invalid(record: InvalidRecord['record'], reason: InvalidRecord['reason'], message: string): Decoded<never> {
  return { kind: 'invalid', invalid: { record, reason, message } };
}

function decodeJson<T>(
  raw: Buffer | string | null | undefined,
  schema: z.ZodType<T>,
  record: InvalidRecord['record'],
): Decoded<T> {
  if (raw === null || raw === undefined) return ABSENT;
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.length;
  if (size > RECORD_MAX_BYTES) return invalid(record, 'oversize', `${record} is ${size} bytes, limit ${RECORD_MAX_BYTES}`);
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : utf8.decode(raw);
  } catch {
    return invalid(record, 'encoding', `${record} is not valid UTF-8`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return invalid(record, 'malformed-json', `${record} is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return invalid(record, 'malformed-json', `${record} is JSON but not an object`);
  }
  const version = (parsed as { schemaVersion?: unknown }).schemaVersion;
  if (version !== SCHEMA_VERSION) {
    return invalid(record, 'unknown-schema-version', `${record}.schemaVersion is ${JSON.stringify(version) ?? 'missing'}, this reader knows ${SCHEMA_VERSION}`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) return invalid(record, 'schema', describeIssues(record, result.error));
  return { kind: 'ok', value: result.data };
}

/** Decodes a session spec stored under `id`'s key. */
export function decodeSessionSpec(raw: Buffer | string | null | undefined, id: string): Decoded<SessionSpec> {
  const d = decodeJson(raw, SessionSpecSchema, 'spec');
  if (d.kind === 'ok' && d.value.id !== id) {
    return invalid('spec', 'id-mismatch', `spec.id is "${d.value.id}" but the record is stored under "${id}"`);
  }
  return d;
}

export function decodeSessionStatus(raw: Buffer | string | null | undefined): Decoded<SessionStatus> {
  return decodeJson(raw, SessionStatusSchema, 'status');
}

export function decodePoolSpec(raw: Buffer | string | null | undefined, name: string): Decoded<WarmPoolSpec> {
  const d = decodeJson(raw, WarmPoolSpecSchema, 'pool');
  if (d.kind === 'ok' && d.value.name !== name) {
    return invalid('pool', 'id-mismatch', `pool.name is "${d.value.name}" but the record is stored under "${name}"`);
  }
  return d;
}

/** Serialises a record for storage (plain JSON). */
export function encodeRecord(value: SessionSpec | SessionStatus | WarmPoolSpec): string {
  return JSON.stringify(value);
}
