/**
 * The AwsApi contract: one suite, run against every implementation (SDK over HTTP to the
 * simulator, in-process simulator adapter). Each `*.test.ts` next to it supplies a harness.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsApi } from '../../src/observed/aws-api.js';
import { TAG } from '../../src/observed/model.js';
import { accessPointToken, runTaskTokenForSession } from '../../src/observed/idempotency.js';
import { launchTags } from '../../src/observed/task-tags.js';
import { OWNER, STARTED_BY, runInput, taskDefinitionInput } from './fixtures.js';
import type { AwsApiHarness } from './harnesses.js';

/** Long enough for every lifecycle phase of the harnesses to finish (virtual ms). */
const SETTLE_MS = 10_000;

function errorName(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'resolved',
    (e: unknown) => String((e as { name?: unknown }).name),
  );
}

/** An ARN in the same cluster that names no task. */
function unknownArnLike(arn: string): string {
  return arn.slice(0, arn.lastIndexOf('/') + 1) + 'f'.repeat(32);
}

export function describeAwsApiContract(name: string, start: () => Promise<AwsApiHarness>): void {
  describe(`AwsApi contract: ${name}`, () => {
    let h: AwsApiHarness;
    let api: AwsApi;
    let tdArn: string;

    beforeEach(async () => {
      h = await start();
      api = h.api;
      tdArn = (await api.ecs.registerTaskDefinition(taskDefinitionInput())).arn;
    });
    afterEach(async () => h.close());

    it('runTask carries tags, startedBy and group, and the task reaches RUNNING with an IP', async () => {
      const tags = launchTags({ owner: OWNER, role: 'session', sessionId: 'sess-1', incarnation: 2 });
      const out = await api.ecs.runTask(runInput(tdArn, { tags, group: 'esr:sessions' }));
      expect(out.failures).toEqual([]);
      expect(out.tasks).toHaveLength(1);
      const launched = out.tasks[0]!;
      expect(launched.tags).toEqual(tags);
      expect(launched.startedBy).toBe(STARTED_BY);
      expect(launched.taskDefinitionArn).toBe(tdArn);
      expect(launched.desiredStatus).toBe('RUNNING');
      // Still PROVISIONING: the ENI, and with it the address, does not exist yet.
      expect(launched.lastStatus).toBe('PROVISIONING');
      expect(launched.privateIp).toBeUndefined();
      await h.clock.advance(SETTLE_MS);
      const [now] = (await api.ecs.describeTasks({ cluster: h.cluster, tasks: [launched.arn] })).tasks;
      expect(now).toMatchObject({ arn: launched.arn, lastStatus: 'RUNNING', group: 'esr:sessions', tags });
      expect(now!.privateIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(now!.startedAt).toBeGreaterThanOrEqual(now!.createdAt!);
    });

    it('runTask with a replayed clientToken returns the same task, and a changed request conflicts', async () => {
      const token = runTaskTokenForSession('sess-1', 1);
      const input = runInput(tdArn, { clientToken: token, tags: { [TAG.owner]: OWNER } });
      const first = await api.ecs.runTask(input);
      const again = await api.ecs.runTask(input);
      expect(again.tasks.map((t) => t.arn)).toEqual(first.tasks.map((t) => t.arn));
      const listed = await api.ecs.listTasks({ cluster: h.cluster, startedBy: STARTED_BY });
      expect(listed.taskArns).toEqual(first.tasks.map((t) => t.arn));
      expect(await errorName(api.ecs.runTask({ ...input, group: 'other' }))).toBe('ConflictException');
    });

    it('runTask rejects count outside 1..10', async () => {
      expect(await errorName(api.ecs.runTask(runInput(tdArn, { count: 11 })))).not.toBe('resolved');
    });

    it('listTasks pages by startedBy and desiredStatus', async () => {
      const mine: string[] = [];
      for (const count of [10, 10, 3]) mine.push(...(await api.ecs.runTask(runInput(tdArn, { count }))).tasks.map((t) => t.arn));
      await api.ecs.runTask(runInput(tdArn, { count: 2, startedBy: 'someone-else' }));
      const pages: string[][] = [];
      let nextToken: string | undefined;
      do {
        const out = await api.ecs.listTasks({ cluster: h.cluster, startedBy: STARTED_BY, desiredStatus: 'RUNNING', maxResults: 10, nextToken });
        pages.push([...out.taskArns]);
        nextToken = out.nextToken;
      } while (nextToken !== undefined);
      expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
      expect(new Set(pages.flat())).toEqual(new Set(mine));
      const stopped = await api.ecs.listTasks({ cluster: h.cluster, startedBy: STARTED_BY, desiredStatus: 'STOPPED' });
      expect(stopped).toEqual({ taskArns: [], nextToken: undefined });
      expect(await errorName(api.ecs.listTasks({ cluster: h.cluster, maxResults: 101 }))).not.toBe('resolved');
    });

    it('describeTasks returns known tasks and MISSING failures for unknown ARNs, at most 100 a call', async () => {
      const arns = (await api.ecs.runTask(runInput(tdArn, { count: 3 }))).tasks.map((t) => t.arn);
      const ghost = unknownArnLike(arns[0]!);
      const out = await api.ecs.describeTasks({ cluster: h.cluster, tasks: [...arns, ghost] });
      expect(out.tasks.map((t) => t.arn).sort()).toEqual([...arns].sort());
      expect(out.failures).toEqual([expect.objectContaining({ arn: ghost, reason: 'MISSING' })]);
      const tooMany = Array.from({ length: 101 }, (_, i) => unknownArnLike(arns[0]!).replace(/f{4}$/, i.toString(16).padStart(4, '0')));
      expect(await errorName(api.ecs.describeTasks({ cluster: h.cluster, tasks: tooMany }))).not.toBe('resolved');
    });

    it('stopTask is success for a running, a stopped, and a vanished task', async () => {
      const [task] = (await api.ecs.runTask(runInput(tdArn))).tasks;
      await h.clock.advance(SETTLE_MS);
      const first = await api.ecs.stopTask({ cluster: h.cluster, task: task!.arn, reason: 'test' });
      expect(first.task).toMatchObject({ arn: task!.arn, desiredStatus: 'STOPPED' });
      await h.clock.advance(SETTLE_MS);
      const again = await api.ecs.stopTask({ cluster: h.cluster, task: task!.arn });
      expect(again.task).toMatchObject({ arn: task!.arn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'UserInitiated' });
      expect(again.task!.stoppedAt).toBeGreaterThanOrEqual(again.task!.stoppingAt!);
      const listed = await api.ecs.listTasks({ cluster: h.cluster, startedBy: STARTED_BY, desiredStatus: 'STOPPED' });
      expect(listed.taskArns).toEqual([task!.arn]);
      expect(await api.ecs.stopTask({ cluster: h.cluster, task: unknownArnLike(task!.arn) })).toEqual({ task: undefined });
    });

    it('tagResource merges tags onto a task (e.g. a warm-task claim)', async () => {
      const [task] = (await api.ecs.runTask(runInput(tdArn, { tags: launchTags({ owner: OWNER, role: 'warm', pool: 'default' }) }))).tasks;
      await api.ecs.tagResource({ resourceArn: task!.arn, tags: { [TAG.role]: 'session', [TAG.session]: 's-9' } });
      const [now] = (await api.ecs.describeTasks({ cluster: h.cluster, tasks: [task!.arn] })).tasks;
      expect(now!.tags).toEqual({ [TAG.owner]: OWNER, [TAG.role]: 'session', [TAG.pool]: 'default', [TAG.session]: 's-9' });
      expect(await errorName(api.ecs.tagResource({ resourceArn: unknownArnLike(task!.arn), tags: { a: 'b' } }))).not.toBe('resolved');
    });

    it('createAccessPoint is idempotent by ClientToken and lists with tags; delete is idempotent', async () => {
      const input = {
        clientToken: accessPointToken(h.fileSystemId, 'user-1', '/users/user-1'),
        fileSystemId: h.fileSystemId,
        posixUser: { uid: 1000, gid: 1000 },
        rootDirectory: { path: '/users/user-1', creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' } },
        tags: { [TAG.owner]: OWNER, [TAG.user]: 'user-1' },
      };
      const first = await api.efs.createAccessPoint(input);
      expect(first.alreadyExisted).toBe(false);
      expect(first.accessPoint).toMatchObject({ id: first.id, fileSystemId: h.fileSystemId, tags: input.tags, rootPath: '/users/user-1', posixUser: { uid: 1000, gid: 1000 } });
      const replay = await api.efs.createAccessPoint(input);
      expect(replay).toMatchObject({ id: first.id, alreadyExisted: true });
      const other = await api.efs.createAccessPoint({ ...input, clientToken: accessPointToken(h.fileSystemId, 'user-2', '/users/user-2') });
      expect(other.id).not.toBe(first.id);

      const page1 = await api.efs.describeAccessPoints({ fileSystemId: h.fileSystemId, maxResults: 1 });
      expect(page1.accessPoints).toHaveLength(1);
      expect(page1.nextToken).toBeDefined();
      const page2 = await api.efs.describeAccessPoints({ fileSystemId: h.fileSystemId, maxResults: 1, nextToken: page1.nextToken });
      const all = [...page1.accessPoints, ...page2.accessPoints];
      expect(all.map((a) => a.id).sort()).toEqual([first.id, other.id].sort());
      expect(all.find((a) => a.id === first.id)?.tags).toEqual(input.tags);

      await api.efs.deleteAccessPoint({ accessPointId: other.id });
      await api.efs.deleteAccessPoint({ accessPointId: other.id });
      const after = await api.efs.describeAccessPoints({ fileSystemId: h.fileSystemId });
      expect(after.accessPoints.map((a) => a.id)).toEqual([first.id]);
    });

    it('registerTaskDefinition revisions carry tags; describe by family gives the latest, by ARN the exact one', async () => {
      const input = taskDefinitionInput({
        family: 'esr-user-u1',
        tags: { [TAG.specHash]: 'abc123', [TAG.owner]: OWNER },
        executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
        taskRoleArn: 'arn:aws:iam::123456789012:role/task',
        volumes: [{ name: 'home', efs: { fileSystemId: h.fileSystemId, transitEncryption: true, accessPointId: 'fsap-0123456789abcdef0', iam: true } }],
        containerDefinitions: [
          {
            name: 'shell',
            image: 'public.ecr.aws/example/shell:1',
            essential: true,
            environment: { MODE: 'session' },
            portMappings: [{ containerPort: 7681, protocol: 'tcp' }],
            mountPoints: [{ sourceVolume: 'home', containerPath: '/home/user' }],
          },
        ],
      });
      const r1 = await api.ecs.registerTaskDefinition(input);
      expect(r1).toMatchObject({ family: 'esr-user-u1', revision: 1, tags: input.tags });
      const r2 = await api.ecs.registerTaskDefinition({ ...input, tags: { ...input.tags, [TAG.specHash]: 'def456' } });
      expect(r2.revision).toBe(2);
      const latest = await api.ecs.describeTaskDefinition({ taskDefinition: 'esr-user-u1' });
      expect(latest).toMatchObject({ arn: r2.arn, revision: 2, status: 'ACTIVE', tags: { [TAG.specHash]: 'def456' } });
      const exact = await api.ecs.describeTaskDefinition({ taskDefinition: r1.arn });
      expect(exact).toMatchObject({ arn: r1.arn, tags: { [TAG.specHash]: 'abc123', [TAG.owner]: OWNER } });
      expect(await errorName(api.ecs.describeTaskDefinition({ taskDefinition: 'no-such-family' }))).not.toBe('resolved');
    });

    it('listTaskDefinitions lists one whole family (not a prefix), ASC by revision or DESC, paged', async () => {
      const r2 = await api.ecs.registerTaskDefinition(taskDefinitionInput());
      await api.ecs.registerTaskDefinition(taskDefinitionInput({ family: 'esr-session-other' }));
      const asc = await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-session' });
      expect(asc).toEqual({ taskDefinitionArns: [tdArn, r2.arn], nextToken: undefined });
      const p1 = await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-session', sort: 'DESC', maxResults: 1 });
      expect(p1.taskDefinitionArns).toEqual([r2.arn]);
      const p2 = await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-session', sort: 'DESC', maxResults: 1, nextToken: p1.nextToken });
      expect(p2).toEqual({ taskDefinitionArns: [tdArn], nextToken: undefined });
      expect((await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-' })).taskDefinitionArns).toEqual([]);
      expect((await api.ecs.listTaskDefinitions({})).taskDefinitionArns).toHaveLength(3);
    });

    it('an aborted signal rejects the call', async () => {
      const ac = new AbortController();
      ac.abort(new Error('shutdown'));
      await expect(api.ecs.listTasks({ cluster: h.cluster }, { signal: ac.signal })).rejects.toThrow();
      await expect(api.efs.describeAccessPoints({ fileSystemId: h.fileSystemId }, { signal: ac.signal })).rejects.toThrow();
    });
  });
}
