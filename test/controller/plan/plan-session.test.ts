import { describe, expect, it } from 'vitest';
import type { SessionEntry } from '../../../src/desired/types.js';
import type { ObservedAccessPoint, ObservedTask } from '../../../src/observed/model.js';
import { backoffMs, planSession, startBackoffMs, type SessionPlan } from '../../../src/controller/plan/plan-session.js';
import type { Action } from '../../../src/controller/plan/actions.js';
import type { PlanConfig } from '../../../src/controller/plan/plan-config.js';
import type { AccessPointRefusal } from '../../../src/controller/plan/persistence.js';
import { runTaskTokenForSession } from '../../../src/observed/idempotency.js';
import { TAG } from '../../../src/observed/model.js';
import { aPlanConfig, aSpec, aStatus, aStoppedTask, aTask, anAccessPoint, T0 } from '../../fixtures/builders.js';

/** Every family counts as known unless a test says otherwise. */
const ALL_FAMILIES: ReadonlySet<string> = { has: () => true } as unknown as ReadonlySet<string>;

function run(args: {
  entry?: SessionEntry;
  tasks?: ObservedTask[];
  aps?: ObservedAccessPoint[];
  apsKnown?: boolean;
  families?: ReadonlySet<string>;
  now?: number;
  cfg?: Partial<PlanConfig>;
  refusal?: AccessPointRefusal;
}): SessionPlan {
  return planSession(
    {
      id: 's1',
      entry: args.entry,
      tasks: args.tasks ?? [],
      accessPoints: args.aps ?? [],
      accessPointsKnown: args.apsKnown ?? true,
      knownFamilies: args.families ?? ALL_FAMILIES,
      accessPointRefusal: args.refusal,
    },
    args.now ?? T0 + 20_000,
    aPlanConfig(args.cfg),
  );
}

const kinds = (p: SessionPlan): string[] => p.actions.map((a) => `${a.type}:${a.drift}`);
const only = <T extends Action['type']>(p: SessionPlan, type: T): Extract<Action, { type: T }>[] =>
  p.actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

describe('planSession: one drift kind at a time', () => {
  it('MissingTask: a new session launches incarnation 1 with the intent recorded in status', () => {
    const p = run({ entry: { id: 's1', spec: aSpec() } });
    expect(kinds(p)).toEqual(['launch:MissingTask']);
    const [launch] = only(p, 'launch');
    expect(launch!.incarnation).toBe(1);
    expect(launch!.clientToken).toBe(runTaskTokenForSession('s1', 1));
    expect(launch!.intentStatus.phase).toBe('Starting');
    expect(launch!.intentStatus.launchIntent).toMatchObject({ clientToken: launch!.clientToken, incarnation: 1 });
    expect(launch!.spec.tags['esr:incarnation']).toBe('1');
  });

  it('TaskStopped: Running status but ECS says STOPPED launches a new incarnation and tells why', () => {
    const stopped = aStoppedTask({ incarnation: 2, stopCode: 'SpotInterruption', stoppedReason: 'Your Spot Task was interrupted.' });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Running', incarnation: 2, taskArn: stopped.arn }) }, tasks: [stopped] });
    expect(kinds(p)).toEqual(['launch:TaskStopped']);
    const [launch] = only(p, 'launch');
    expect(launch!.incarnation).toBe(3);
    const ready = launch!.intentStatus.conditions.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'TaskStopped' });
    expect(ready!.message).toContain('SpotInterruption');
    expect(launch!.intentStatus.attempts).toBe(0);
  });

  it('DuplicateTasks: keeps the RUNNING one over a pending one, then the oldest', () => {
    const pending = aTask({ lastStatus: 'PENDING', createdAt: T0 - 5000, startedAt: undefined });
    const older = aTask({ createdAt: T0 - 1000 });
    const newer = aTask({ createdAt: T0 });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Running', incarnation: 1, taskArn: older.arn }) }, tasks: [newer, pending, older] });
    const stops = only(p, 'stopTask');
    expect(stops.map((s) => s.taskArn).sort()).toEqual([pending.arn, newer.arn].sort());
    expect(stops.every((s) => s.drift === 'DuplicateTasks')).toBe(true);
    expect(only(p, 'launch')).toHaveLength(0);
  });

  it('OrphanTask: a tagged task with no record is stopped only after the grace period', () => {
    const young = aTask({ createdAt: T0 + 1000 });
    const old = aTask({ createdAt: T0 - 120_000 });
    const p = run({ entry: undefined, tasks: [young, old] });
    expect(only(p, 'stopTask').map((s) => [s.taskArn, s.drift])).toEqual([[old.arn, 'OrphanTask']]);
    expect(p.requeueAfterMs).toBe(60_000 - 19_000);
  });

  it('Undesired: a tombstone stops the task, then purges the records once nothing is live', () => {
    const task = aTask();
    const tomb = aSpec({ deleted: true, deletedAt: T0, generation: 2 });
    const first = run({ entry: { id: 's1', spec: tomb, status: aStatus({ phase: 'Running', incarnation: 1, taskArn: task.arn }) }, tasks: [task] });
    expect(kinds(first)).toEqual(['stopTask:Undesired', 'writeStatus:Undesired']);
    expect(only(first, 'writeStatus')[0]!.status.phase).toBe('Stopping');
    const second = run({ entry: { id: 's1', spec: tomb, status: aStatus({ phase: 'Stopping' }) }, tasks: [aStoppedTask({ arn: task.arn })] });
    expect(second.actions).toEqual([expect.objectContaining({ type: 'purgeSession', generation: 2, drift: 'Undesired' })]);
  });

  it('StuckStarting: not RUNNING by the deadline: stop, count the attempt, back off', () => {
    const stuck = aTask({ lastStatus: 'PROVISIONING', startedAt: undefined, createdAt: T0 });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 1 }) }, tasks: [stuck], now: T0 + 181_000 });
    expect(kinds(p)).toEqual(['stopTask:StuckStarting', 'writeStatus:StuckStarting']);
    expect(only(p, 'writeStatus')[0]!.status.attempts).toBe(1);
    expect(p.requeueAfterMs).toBe(2_000);
  });

  it('StuckStarting exhausts attempts: Failed, terminal until the generation changes', () => {
    const stuck = aTask({ lastStatus: 'PENDING', startedAt: undefined, createdAt: T0, incarnation: 3 });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 3, attempts: 2 }) }, tasks: [stuck], now: T0 + 200_000 });
    expect(only(p, 'writeStatus')[0]!.status.phase).toBe('Failed');
    const failedStatus = aStatus({ phase: 'Failed', incarnation: 3, attempts: 3, observedGeneration: 1 });
    expect(run({ entry: { id: 's1', spec: aSpec(), status: failedStatus } }).actions.filter((a) => a.type === 'launch')).toHaveLength(0);
    const bumped = run({ entry: { id: 's1', spec: aSpec({ generation: 2 }), status: failedStatus } });
    expect(kinds(bumped)).toEqual(['launch:MissingTask']);
    expect(only(bumped, 'launch')[0]!.intentStatus.attempts).toBe(0);
  });

  it('AccessPointMissing: persistence preferred with EFS configured creates the access point first', () => {
    const p = run({ entry: { id: 's1', spec: aSpec({ persistence: 'preferred' }) } });
    expect(kinds(p)).toEqual(['ensureAccessPoint:AccessPointMissing']);
  });

  it('mounts an existing access point and says so in the Persistence condition', () => {
    const p = run({ entry: { id: 's1', spec: aSpec({ persistence: 'required' }) }, aps: [anAccessPoint()] });
    const [launch] = only(p, 'launch');
    expect(launch!.spec.accessPointId).toBe('fsap-u1');
    expect(launch!.intentStatus.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'True', reason: 'Mounted' });
  });

  it('TaskDefinitionMissing: an unknown family is ensured before launch', () => {
    const p = run({ entry: { id: 's1', spec: aSpec() }, families: new Set() });
    expect(kinds(p)).toEqual(['ensureTaskDefinition:TaskDefinitionMissing']);
    expect(only(p, 'ensureTaskDefinition')[0]!.spec.family).toMatch(/^esr-shell-[0-9a-f]{24}$/);
  });

  it('StatusStale: the task is RUNNING but status says Starting: write Running with the endpoint', () => {
    const task = aTask({ privateIp: '10.1.2.3' });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 1, taskArn: task.arn }) }, tasks: [task] });
    expect(kinds(p)).toEqual(['writeStatus:StatusStale']);
    const status = only(p, 'writeStatus')[0]!.status;
    expect(status).toMatchObject({ phase: 'Running', endpoint: { ip: '10.1.2.3', port: 8080 }, taskArn: task.arn });
    expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('a converged session plans nothing', () => {
    const task = aTask({ privateIp: '10.1.2.3' });
    const first = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 1, taskArn: task.arn }) }, tasks: [task] });
    const written = only(first, 'writeStatus')[0]!.status;
    const again = run({ entry: { id: 's1', spec: aSpec(), status: written }, tasks: [task], now: T0 + 99_000 });
    expect(again.actions).toEqual([]);
  });

  it('InvalidSpec: reports the problem in status and does nothing else, even with a task running', () => {
    const p = run({ entry: { id: 's1', invalid: { record: 'spec', reason: 'malformed-json', message: 'spec: Unexpected token' } }, tasks: [aTask()] });
    expect(kinds(p)).toEqual(['writeStatus:InvalidSpec']);
    expect(only(p, 'writeStatus')[0]!.status.conditions).toContainEqual(expect.objectContaining({ type: 'Invalid', status: 'True', reason: 'MalformedJson' }));
  });

  it('PersistenceUnavailable: required + EFS unreadable waits; preferred launches without and says so', () => {
    const waiting = run({ entry: { id: 's1', spec: aSpec({ persistence: 'required' }) }, apsKnown: false });
    expect(kinds(waiting)).toEqual(['writeStatus:PersistenceUnavailable']);
    expect(only(waiting, 'writeStatus')[0]!.status.phase).toBe('Pending');
    const degraded = run({ entry: { id: 's1', spec: aSpec({ persistence: 'preferred' }) }, apsKnown: false });
    const [launch] = only(degraded, 'launch');
    expect(launch!.spec.accessPointId).toBeUndefined();
    expect(launch!.intentStatus.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'False', reason: 'EfsUnavailable' });
  });

  it('AccessPointLimitExceeded: a standing refusal is not asked again; required waits Pending, preferred launches without, both naming the limit', () => {
    const refusal = { reason: 'AccessPointLimitExceeded', message: 'file system fs-1 already has 1000 access points', until: T0 + 80_000 };
    const fresh = run({ entry: { id: 's1', spec: aSpec({ persistence: 'required' }) } });
    expect(kinds(fresh)).toEqual(['ensureAccessPoint:AccessPointMissing']);
    const waiting = run({ entry: { id: 's1', spec: aSpec({ persistence: 'required' }) }, refusal });
    expect(kinds(waiting)).toEqual(['writeStatus:PersistenceUnavailable']);
    const status = only(waiting, 'writeStatus')[0]!.status;
    expect(status.phase).toBe('Pending');
    expect(status.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(waiting.requeueAfterMs).toBeGreaterThan(0);
    const without = run({ entry: { id: 's1', spec: aSpec({ persistence: 'preferred' }) }, refusal });
    const [launch] = only(without, 'launch');
    expect(launch!.spec.accessPointId).toBeUndefined();
    const cond = launch!.intentStatus.conditions.find((c) => c.type === 'Persistence');
    expect(cond).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(cond!.message).toContain('already has 1000 access points');
    // The user's access point, once there, wins over a refusal.
    const mounted = run({ entry: { id: 's1', spec: aSpec({ persistence: 'required' }) }, aps: [anAccessPoint()], refusal });
    expect(only(mounted, 'launch')[0]!.spec.accessPointId).toBeDefined();
  });

  it('an unknown template is Failed with an Invalid condition naming the allowed ones', () => {
    const p = run({ entry: { id: 's1', spec: aSpec({ template: 'gpu' }) } });
    const status = only(p, 'writeStatus')[0]!.status;
    expect(status.phase).toBe('Failed');
    expect(status.conditions.find((c) => c.type === 'Invalid')?.message).toContain('allowed: shell');
  });
});

describe('planSession: combinations and races', () => {
  it('crash after the intent: no task visible re-sends the same clientToken (no new incarnation)', () => {
    const intent = { clientToken: runTaskTokenForSession('s1', 4), incarnation: 4, requestedAt: T0 };
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 4, launchIntent: intent }) } });
    const [launch] = only(p, 'launch');
    expect(launch).toMatchObject({ incarnation: 4, clientToken: intent.clientToken });
  });

  it('restart with no memory: a live task of incarnation 7 is adopted, not relaunched', () => {
    const task = aTask({ incarnation: 7 });
    const p = run({ entry: { id: 's1', spec: aSpec() }, tasks: [task] });
    expect(kinds(p)).toEqual(['writeStatus:StatusStale']);
    expect(only(p, 'writeStatus')[0]!.status).toMatchObject({ phase: 'Running', incarnation: 7, taskArn: task.arn });
  });

  it('a fresh life after a store loss adopts the newest incarnation of the earlier life, whatever order ECS lists them in (sim seed 73)', () => {
    const older = aTask({ incarnation: 1, extraTags: { [TAG.uid]: 'life-a' } });
    const newer = aTask({ incarnation: 2, extraTags: { [TAG.uid]: 'life-a' } });
    for (const tasks of [[older, newer], [newer, older]]) {
      const p = run({ entry: { id: 's1', spec: aSpec({ uid: 'life-b' }) }, tasks });
      expect(kinds(p)).toEqual(['tagTask:AdoptTask']);
      expect(only(p, 'tagTask')[0]!.taskArn).toBe(newer.arn);
    }
  });

  it('a task this life\'s Running status names, still showing the earlier life\'s uid tag (tags appear late), is tagged again, never stopped', () => {
    const served = aTask({ incarnation: 2, extraTags: { [TAG.uid]: 'life-a' } });
    const status = aStatus({ phase: 'Running', incarnation: 2, taskArn: served.arn, endpoint: { ip: served.privateIp!, port: 8080 }, observedGeneration: 1 });
    const p = run({ entry: { id: 's1', spec: aSpec({ uid: 'life-b' }), status }, tasks: [served] });
    expect(kinds(p)).toEqual(['tagTask:AdoptTask']);
    expect(only(p, 'tagTask')[0]).toMatchObject({ taskArn: served.arn, tags: { [TAG.uid]: 'life-b' } });
    // Not named by the status: a task of another life is stopped as before.
    const other = aTask({ incarnation: 1, extraTags: { [TAG.uid]: 'life-a' } });
    const q = run({ entry: { id: 's1', spec: aSpec({ uid: 'life-b' }), status }, tasks: [served, other] });
    expect(only(q, 'stopTask').map((a) => a.taskArn)).not.toContain(served.arn);
  });

  it('a new incarnation is numbered above every live task of the id, of any life (an adopted task never shares its number)', () => {
    const earlier = aTask({ incarnation: 3, extraTags: { [TAG.uid]: 'life-a' } });
    const p = run({ entry: { id: 's1', spec: aSpec({ uid: 'life-b' }), status: aStatus({ phase: 'Pending', incarnation: 0, observedGeneration: 1 }) }, tasks: [earlier] });
    expect(only(p, 'launch')[0]?.incarnation).toBe(4);
  });

  it('quick delete-then-recreate: the old task still stopping is neither adopted nor waited on', () => {
    const stopping = aTask({ incarnation: 1, desiredStatus: 'STOPPED', lastStatus: 'DEACTIVATING' });
    const p = run({ entry: { id: 's1', spec: aSpec({ generation: 3 }), status: aStatus({ phase: 'Stopping', incarnation: 1, observedGeneration: 2 }) }, tasks: [stopping] });
    expect(kinds(p)).toEqual(['launch:MissingTask']);
    expect(only(p, 'launch')[0]!.incarnation).toBe(2);
  });

  it('a live task of an older incarnation is stopped while the current one serves', () => {
    const old = aTask({ incarnation: 1 });
    const cur = aTask({ incarnation: 2 });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Running', incarnation: 2, taskArn: cur.arn }) }, tasks: [old, cur] });
    expect(only(p, 'stopTask').map((s) => [s.taskArn, s.drift])).toEqual([[old.arn, 'OutdatedIncarnation']]);
  });

  it('duplicates plus a stale status: stops the extra and writes Running in one plan', () => {
    const a = aTask({ createdAt: T0 - 10 });
    const b = aTask({ createdAt: T0 });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Starting', incarnation: 1 }) }, tasks: [a, b] });
    expect(kinds(p)).toEqual(['stopTask:DuplicateTasks', 'writeStatus:StatusStale']);
    expect(only(p, 'writeStatus')[0]!.status.taskArn).toBe(a.arn);
  });

  it("IdentityChanged: the status stops naming the previous user's task before its stop is sent, so a held stop leaves no endpoint Ready", () => {
    const task = aTask({ extraTags: { [TAG.user]: 'alice' } });
    const status = aStatus({ phase: 'Running', incarnation: 1, taskArn: task.arn, observedGeneration: 1, endpoint: { ip: '10.0.0.9', port: 8080 } });
    const p = run({ entry: { id: 's1', spec: aSpec({ generation: 2, userId: 'bob' }), status }, tasks: [task] });
    expect(kinds(p).slice(0, 2)).toEqual(['writeStatus:IdentityChanged', 'stopTask:IdentityChanged']);
    const [write] = only(p, 'writeStatus');
    expect(write!.status).toMatchObject({ phase: 'Pending', taskArn: undefined, endpoint: undefined });
    expect(write!.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'IdentityChanged' });
  });

  it('a task of another life whose state ECS answered unreadably (UNKNOWN) is neither adopted nor stopped: look again (fuzz seed 9)', () => {
    const task = aTask({ lastStatus: 'UNKNOWN', extraTags: { [TAG.uid]: 'earlier-life' } });
    const p = run({ entry: { id: 's1', spec: aSpec({ uid: 'this-life' }) }, tasks: [task] });
    expect(p.actions).toEqual([]);
    expect(p.requeueAfterMs).toBe(1000);
    const readable = run({ entry: { id: 's1', spec: aSpec({ uid: 'this-life' }) }, tasks: [{ ...task, lastStatus: 'RUNNING' }] });
    expect(kinds(readable)).toEqual(['tagTask:AdoptTask']);
  });

  it('a spec change of the running task content replaces it with a new incarnation', () => {
    const task = aTask({ extraTags: { 'esr:spec-hash': 'old-hash' } });
    const p = run({ entry: { id: 's1', spec: aSpec({ generation: 2, env: { MODE: 'x' } }), status: aStatus({ phase: 'Running', incarnation: 1, taskArn: task.arn, observedGeneration: 1 }) }, tasks: [task] });
    expect(kinds(p)).toEqual(['launch:SpecChanged']);
    expect(only(p, 'launch')[0]!.incarnation).toBe(2);
  });

  it('a task that never started counts as a failed attempt and the next launch waits for the backoff', () => {
    const failedStart = aStoppedTask({ startedAt: undefined, stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError' });
    const status = aStatus({ phase: 'Starting', incarnation: 1, attempts: 1, lastError: { reason: 'StuckStarting', message: 'x', at: T0 + 19_000 } });
    // The wait is the policy's full-jitter draw for this session and incarnation, from the latest failure.
    const delay = startBackoffMs(aPlanConfig(), 2, 's1/1');
    expect(delay).toBeGreaterThan(0);
    expect(delay).toBeLessThan(backoffMs(aPlanConfig(), 2));
    const p = run({ entry: { id: 's1', spec: aSpec(), status }, tasks: [failedStart], now: T0 + 19_000 + delay - 1 });
    // No launch while backing off; the status says why it waits (attempt counted at the launch, once).
    expect(p.actions.filter((a) => a.type !== 'writeStatus')).toEqual([]);
    const waiting = only(p, 'writeStatus')[0]!.status;
    expect(waiting.conditions.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'StartBackOff', message: expect.stringMatching(/TaskFailedToStart.*start attempt 3 of 3 in \d+ s/) });
    expect(waiting.attempts).toBe(1);
    expect(p.requeueAfterMs).toBeGreaterThan(0);
    const later = run({ entry: { id: 's1', spec: aSpec(), status }, tasks: [failedStart], now: T0 + 19_000 + delay });
    expect(kinds(later)).toEqual(['launch:TaskStopped']);
    expect(only(later, 'launch')[0]!.intentStatus.attempts).toBe(2);
  });

  it('never plans anything for tasks of other owners (they are not indexed upstream) nor stops in InvalidSpec', () => {
    const p = run({ entry: { id: 's1', invalid: { record: 'spec', reason: 'schema', message: 'spec.userId: required' } }, tasks: [aTask(), aTask()] });
    expect(only(p, 'stopTask')).toHaveLength(0);
  });
});

describe('planSession: the warm path', () => {
  const warmTask = (o: Partial<ObservedTask> = {}) => aTask({ session: undefined as unknown as string, ...o, extraTags: { 'esr:user': undefined as unknown as string } });
  const withWarm = (candidates: ObservedTask[]) => () => ({ pool: 'p', candidates });

  it('WarmClaim: a new session takes an idle RUNNING warm task; Starting (not Ready) until ECS carries its identity', () => {
    const w = warmTask({ privateIp: '10.9.9.9' });
    const p = planSession({ id: 's1', entry: { id: 's1', spec: aSpec({ persistence: 'preferred' }) }, tasks: [], accessPoints: [], accessPointsKnown: true, knownFamilies: ALL_FAMILIES, warm: withWarm([w]) }, T0, aPlanConfig());
    expect(kinds(p)).toEqual(['claimWarm:WarmClaim']);
    const claim = only(p, 'claimWarm')[0]!;
    expect(claim.incarnation).toBe(1);
    expect(claim.candidates[0]!.status).toMatchObject({ phase: 'Starting', warm: true, taskArn: w.arn, endpoint: undefined });
    expect(claim.candidates[0]!.status.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'WarmTaskClaimed' });
    expect(claim.candidates[0]!.status.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'False', reason: 'WarmTaskNoPersistence' });
  });

  it('persistence required always takes the cold path; an empty pool degrades to cold with WarmPoolEmpty', () => {
    const required = planSession({ id: 's1', entry: { id: 's1', spec: aSpec({ persistence: 'required' }) }, tasks: [], accessPoints: [anAccessPoint()], accessPointsKnown: true, knownFamilies: ALL_FAMILIES, warm: withWarm([warmTask()]) }, T0, aPlanConfig());
    expect(kinds(required)).toEqual(['launch:MissingTask']);
    const empty = planSession({ id: 's1', entry: { id: 's1', spec: aSpec() }, tasks: [], accessPoints: [], accessPointsKnown: true, knownFamilies: ALL_FAMILIES, warm: withWarm([]) }, T0, aPlanConfig());
    expect(only(empty, 'launch')[0]!.intentStatus.conditions).toContainEqual(expect.objectContaining({ type: 'Degraded', status: 'True', reason: 'WarmPoolEmpty' }));
  });

  it('ClaimIncomplete: a claimed task not yet tagged for the session gets tagged', () => {
    const claimed = aTask({ incarnation: 2, extraTags: { 'esr:claim-pending': '1', 'esr:pool': 'p' } });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: aStatus({ phase: 'Running', incarnation: 2, taskArn: claimed.arn, warm: true }) }, tasks: [claimed] });
    expect(kinds(p)[0]).toBe('tagTask:ClaimIncomplete');
    expect(only(p, 'tagTask')[0]!.tags).toMatchObject({ 'esr:session': 's1', 'esr:incarnation': '2', 'esr:role': 'session' });
  });
});

describe('sameStatus', () => {
  it('ignores updatedAt and undefined members, and sees any other difference', async () => {
    const { sameStatus } = await import('../../../src/controller/plan/status.js');
    const a = aStatus({ phase: 'Running', endpoint: { ip: '10.0.0.1', port: 8080 }, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: 'm', lastTransitionTime: 1 }] });
    expect(sameStatus(a, { ...a, updatedAt: a.updatedAt + 5, retryAfter: undefined })).toBe(true);
    expect(sameStatus(a, { ...a, endpoint: { ip: '10.0.0.2', port: 8080 } })).toBe(false);
    expect(sameStatus(a, { ...a, conditions: [] })).toBe(false);
    expect(sameStatus(a, { ...a, retryAfter: 5 })).toBe(false);
    expect(sameStatus({ ...a, retryAfter: 5 }, a)).toBe(false);
    expect(sameStatus(a, undefined)).toBe(false);
  });

  it('a Running status whose endpoint no longer matches the task is rewritten (the fast path does not hide it)', () => {
    const task = aTask({ privateIp: '10.1.2.3' });
    const status = aStatus({ phase: 'Running', incarnation: 1, taskArn: task.arn, endpoint: { ip: '10.9.9.9', port: 8080 }, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: 'x', lastTransitionTime: T0 }] });
    const p = run({ entry: { id: 's1', spec: aSpec(), status }, tasks: [task] });
    expect(only(p, 'writeStatus')[0]!.status.endpoint).toEqual({ ip: '10.1.2.3', port: 8080 });
  });
});

describe('planSession: which duplicate to keep', () => {
  it('without createdAt (an ECS that sends none), keeps the task the status points to, whatever the ARN order', () => {
    const a = aTask({ createdAt: undefined, arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/aaaaaaaa' });
    const b = aTask({ createdAt: undefined, arn: 'arn:aws:ecs:us-east-1:123456789012:task/c/bbbbbbbb' });
    const st = aStatus({ phase: 'Running', incarnation: 1, taskArn: b.arn, endpoint: { ip: '10.0.0.5', port: 8080 } });
    const p = run({ entry: { id: 's1', spec: aSpec(), status: st }, tasks: [a, b] });
    expect(only(p, 'stopTask').map((s) => s.taskArn)).toEqual([a.arn]);
    expect(only(p, 'stopTask')[0]!.drift).toBe('DuplicateTasks');
  });
});
