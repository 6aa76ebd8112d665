/**
 * What the controller cache holds per session at scale (issue #22, docs/performance.md finding 7):
 * 5,000 sessions read as the daemon reads them (records decoded through the snapshot's memo,
 * tasks parsed from ECS's JSON, so every string is its own instance as in production) must fit
 * in bounds per session that the compact forms meet and the plain forms do not. Measured (bytes a
 * session, records and memo / task and indexes): 1,231 / 578 at b15ebed; 867 / 427 now; 1,002 /
 * 429 without the in-object rebuild of records (compact-record.ts); 862 / 604 without compactTask.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ControllerCache } from '../../src/controller/cache.js';
import { DecodeMemo } from '../../src/desired/decode-memo.js';
import { decodeSessionSpec, decodeSessionStatus, encodeRecord } from '../../src/desired/decode.js';
import { toSessionEntry } from '../../src/desired/records.js';
import type { SessionEntry } from '../../src/desired/types.js';
import { parseTask } from '../../src/observed/parse-task.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { TAG } from '../../src/observed/model.js';
import { aSpec, aStatus, anObserved, OWNER, T0 } from '../fixtures/builders.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;


/** The bytes Redis and ECS would return for session i (a Running session on its own task). */
function wire(i: number): { spec: Buffer; status: Buffer; task: string } {
  const id = `session-${i}`;
  const arn = `arn:aws:ecs:us-east-1:123456789012:task/esr/${(0x10000000 + i).toString(16)}${'0'.repeat(24)}`;
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const uid = (0xabc00000 + i).toString(16).padStart(16, '0');
  const spec = aSpec({ id, userId: `user-${i}`, uid });
  const status = aStatus({
    phase: 'Running',
    taskArn: arn,
    endpoint: { ip, port: 8080 },
    incarnation: 1,
    startedAt: T0 + i,
    expiresAt: T0 + 3_600_000 + i,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'TaskRunning', message: `task RUNNING at ${ip}:8080`, lastTransitionTime: T0 + i },
      { type: 'Scheduled', status: 'True', reason: 'TaskLaunched', message: 'RunTask accepted the launch', lastTransitionTime: T0 + i },
    ],
  });
  const tags = { [TAG.owner]: OWNER, [TAG.role]: 'session', [TAG.session]: id, [TAG.incarnation]: '1', [TAG.specHash]: uid + uid, [TAG.user]: `user-${i}`, [TAG.uid]: uid, [TAG.accessPoint]: 'none' };
  const task = {
    taskArn: arn,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/esr-shell:1',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    startedBy: 'esr-reconciler',
    createdAt: (T0 + i) / 1000,
    startedAt: (T0 + i + 3000) / 1000,
    version: 4,
    attachments: [{ type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: ip }] }],
    tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
  };
  return { spec: Buffer.from(encodeRecord(spec)), status: Buffer.from(encodeRecord(status)), task: JSON.stringify(task) };
}

/** Session i's records as a full desired read decodes them (through the memo). */
function readDesired(memo: DecodeMemo, n: number): Map<string, SessionEntry> {
  const scope = memo.begin();
  const sessions = new Map<string, SessionEntry>();
  for (let i = 0; i < n; i++) {
    const w = wire(i);
    const id = `session-${i}`;
    sessions.set(id, toSessionEntry(id, scope.decode(id, 'spec', w.spec, (raw) => decodeSessionSpec(raw, id)), scope.decode(id, 'status', w.status, decodeSessionStatus))!);
  }
  scope.commit();
  return sessions;
}

/** Every task as a full observed read parses it from ECS's JSON. */
function readObserved(n: number): ObservedTask[] {
  return Array.from({ length: n }, (_, i) => parseTask(JSON.parse(wire(i).task))!);
}

/** A full desired read into the cache; in a function of its own so that no stack slot keeps the snapshot alive at the measurement. */
function loadDesired(cache: ControllerCache, memo: DecodeMemo, n: number, round: number): void {
  cache.replaceDesired({ sessions: readDesired(memo, n) }, T0 + round, T0 + round);
}

/** A full observed read into the cache (see loadDesired). */
function loadObserved(cache: ControllerCache, n: number, round: number): void {
  cache.replaceObserved(anObserved(readObserved(n)), T0 + round);
}

/**
 * Heap held by the desired side (records and memo) and by the observed side (tasks
 * and their indexes), each after two full reads (the second hits the memo and finds the tasks
 * unchanged, as between a daemon's resyncs).
 */
function held(n: number): { desired: number; observed: number } {
  const memo = new DecodeMemo();
  const cache = new ControllerCache(OWNER);
  gc();
  const start = process.memoryUsage().heapUsed;
  for (let round = 0; round < 2; round++) loadDesired(cache, memo, n, round);
  gc();
  const desired = process.memoryUsage().heapUsed;
  for (let round = 0; round < 2; round++) loadObserved(cache, n, round);
  gc();
  const observed = process.memoryUsage().heapUsed;
  expect(cache.sessions.size).toBe(n);
  expect(cache.tasksOf('session-7')).toHaveLength(1);
  expect(memo.size).toBe(2 * n);
  return { desired: desired - start, observed: observed - desired };
}

/**
 * Bytes a session adds, as the difference between 10,000 and 5,000 sessions: fixed costs (the
 * bounded string interner, which also takes unique values such as a status message that names an
 * address, and the smallest map tables) cancel out.
 */
function heldPerSession(): { desired: number; observed: number } {
  const n = 5000;
  const small = held(n);
  const large = held(2 * n);
  return { desired: (large.desired - small.desired) / n, observed: (large.observed - small.observed) / n };
}

describe('the controller cache at scale', () => {
  it('holds a Running session in under 950 bytes of records and memo and 500 bytes of task', () => {
    const { desired, observed } = heldPerSession();
    console.log(`per session: ${desired.toFixed(0)} bytes of records and memo, ${observed.toFixed(0)} bytes of task and indexes (marginal, 5,000 -> 10,000 sessions)`);
    expect(desired).toBeLessThan(950);
    expect(observed).toBeLessThan(500);
  });
});
