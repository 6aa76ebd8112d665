/**
 * Tolerant parsing of ECS task and EFS access-point shapes into the observed model.
 *
 * Rules: never throw; a field that is absent or of the wrong type becomes `undefined`
 * ("unknown"); an unknown `lastStatus`/`desiredStatus` string becomes 'UNKNOWN'; absent tags
 * become `{}` (a lagging describe). Accepts both SDK shapes (Date timestamps) and wire JSON
 * (epoch seconds as numbers), so the SDK adapter and the simulator adapter share it. Values that
 * recur across tasks (statuses, the task definition, `startedBy`, `group`, stop codes and
 * reasons, shared tag values) come back as one shared instance each, to keep 100,000 cached
 * tasks small (common/string-interner.ts).
 */
import { sharedInterner } from '../common/string-interner.js';
import { TAG, TASK_STATUSES, type ObservedAccessPoint, type ObservedTask, type TaskStatus } from './model.js';

type Loose = Record<string, unknown>;

function obj(v: unknown): Loose | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Loose) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * Epoch milliseconds from a Date, epoch seconds (wire JSON, may be fractional), or an ISO string.
 * Non-finite or unparseable input is unknown.
 */
export function toEpochMs(v: unknown): number | undefined {
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isFinite(t) ? t : undefined;
  }
  if (typeof v === 'number') return Number.isFinite(v) ? Math.round(v * 1000) : undefined;
  if (typeof v === 'string' && v.length > 0) {
    const t = Date.parse(v);
    return Number.isFinite(t) ? t : undefined;
  }
  return undefined;
}

const KNOWN_STATUSES: ReadonlySet<string> = new Set(TASK_STATUSES);

/** An ECS status string, or 'UNKNOWN' for anything missing or unrecognised (one shared instance each). */
export function parseTaskStatus(v: unknown): TaskStatus {
  return typeof v === 'string' && KNOWN_STATUSES.has(v) ? sharedInterner.intern(v as TaskStatus) : 'UNKNOWN';
}

/**
 * Tags whose values recur across tasks (an installation's owner id, roles, pools, incarnations,
 * spec hashes, access points): kept as shared instances (common/string-interner.ts). Values that
 * are unique per task (session, user, uid) are not.
 */
export const SHARED_TAG_VALUES: ReadonlySet<string> = new Set([TAG.owner, TAG.role, TAG.pool, TAG.incarnation, TAG.specHash, TAG.accessPoint, 'esr:batch']);

/** ECS/EFS tag lists (`[{key, value}]` or `[{Key, Value}]`) to a record; malformed entries are skipped. */
export function parseTags(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of arr(v)) {
    const e = obj(entry);
    if (!e) continue;
    const key = e['key'] ?? e['Key'];
    const value = e['value'] ?? e['Value'];
    if (typeof key === 'string' && key.length > 0) out[key] = typeof value !== 'string' ? '' : SHARED_TAG_VALUES.has(key) ? sharedInterner.intern(value) : value;
  }
  return out;
}

/** Private IPv4 from the ENI attachment details, else from the first container network interface. */
export function privateIpOf(task: Loose): string | undefined {
  for (const a of arr(task['attachments'])) {
    const att = obj(a);
    if (!att || att['type'] !== 'ElasticNetworkInterface') continue;
    for (const d of arr(att['details'])) {
      const kv = obj(d);
      if (kv && kv['name'] === 'privateIPv4Address') {
        const ip = str(kv['value']);
        if (ip) return ip;
      }
    }
  }
  for (const c of arr(task['containers'])) {
    for (const n of arr(obj(c)?.['networkInterfaces'])) {
      const ip = str(obj(n)?.['privateIpv4Address']);
      if (ip) return ip;
    }
  }
  return undefined;
}

/**
 * An ECS `Task` (SDK or wire JSON) as an ObservedTask; undefined only when there is no task ARN
 * (nothing could be keyed on it).
 */
export function parseTask(raw: unknown): ObservedTask | undefined {
  const t = obj(raw);
  const arn = str(t?.['taskArn']);
  if (!t || !arn) return undefined;
  return {
    arn,
    taskDefinitionArn: sharedInterner.intern(str(t['taskDefinitionArn'])),
    lastStatus: parseTaskStatus(t['lastStatus']),
    desiredStatus: parseTaskStatus(t['desiredStatus']),
    startedBy: sharedInterner.intern(str(t['startedBy'])),
    group: sharedInterner.intern(str(t['group'])),
    createdAt: toEpochMs(t['createdAt']),
    startedAt: toEpochMs(t['startedAt']),
    stoppingAt: toEpochMs(t['stoppingAt']),
    stoppedAt: toEpochMs(t['stoppedAt']),
    stopCode: sharedInterner.intern(str(t['stopCode'])),
    stoppedReason: sharedInterner.intern(str(t['stoppedReason'])),
    privateIp: privateIpOf(t),
    tags: parseTags(t['tags']),
    version: typeof t['version'] === 'number' && Number.isSafeInteger(t['version']) && t['version'] >= 0 ? t['version'] : undefined,
  };
}

/** Every parseable task of a list; entries without an ARN are dropped. */
export function parseTasks(raw: unknown): ObservedTask[] {
  const out: ObservedTask[] = [];
  for (const r of arr(raw)) {
    const t = parseTask(r);
    if (t) out.push(t);
  }
  return out;
}

/** ECS `failures` entries (`{arn, reason, detail}`). */
export function parseFailures(raw: unknown): { arn: string | undefined; reason: string | undefined; detail: string | undefined }[] {
  return arr(raw).map((f) => {
    const o = obj(f) ?? {};
    return { arn: str(o['arn']), reason: str(o['reason']), detail: str(o['detail']) };
  });
}

/** An EFS `AccessPointDescription` (PascalCase) as an ObservedAccessPoint; undefined without an id. */
export function parseAccessPoint(raw: unknown, fallbackFileSystemId?: string): ObservedAccessPoint | undefined {
  const a = obj(raw);
  const id = str(a?.['AccessPointId']);
  if (!a || !id) return undefined;
  const fileSystemId = str(a['FileSystemId']) ?? fallbackFileSystemId;
  if (!fileSystemId) return undefined;
  return {
    id,
    arn: str(a['AccessPointArn']),
    fileSystemId,
    lifeCycleState: str(a['LifeCycleState']),
    tags: parseTags(a['Tags']),
    ...rootAndUser(a),
  };
}

/** RootDirectory.Path and PosixUser of a DescribeAccessPoints/CreateAccessPoint answer, when present. */
function rootAndUser(a: Record<string, unknown>): Pick<ObservedAccessPoint, 'rootPath' | 'posixUser'> {
  const rootPath = str(obj(a['RootDirectory'])?.['Path']);
  const p = obj(a['PosixUser']);
  const uid = p?.['Uid'];
  const gid = p?.['Gid'];
  return {
    ...(rootPath !== undefined ? { rootPath } : {}),
    ...(typeof uid === 'number' && typeof gid === 'number' ? { posixUser: { uid, gid } } : {}),
  };
}
