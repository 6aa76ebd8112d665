import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { AccessPointAlreadyExists, CreateAccessPointCommand, DeleteAccessPointCommand, DescribeAccessPointsCommand } from '@aws-sdk/client-efs';
import { describe, expect, it } from 'vitest';
import { SUBNETS, registerSessionTaskDef, startHarness, useHarness } from './harness.js';

describe('RunTask clientToken', () => {
  const h = useHarness({ limits: false }, (x) => registerSessionTaskDef(x));

  const run = (clientToken: string, extra: Record<string, unknown> = {}) =>
    h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count: 2, networkConfiguration: SUBNETS, startedBy: 'esr', clientToken, ...extra }));

  it('a replay returns the original tasks and starts none', async () => {
    const first = await run('tok-1');
    await h.clock.advance(100);
    const again = await run('tok-1');
    expect(again.tasks!.map((t) => t.taskArn)).toEqual(first.tasks!.map((t) => t.taskArn));
    expect(again.tasks![0]!.lastStatus).toBe('RUNNING');
    expect(h.core.dump().tasks).toHaveLength(2);
  });

  it('the same token with different parameters is a ConflictException naming the original tasks', async () => {
    const first = await run('tok-2');
    const err = await run('tok-2', { startedBy: 'someone-else' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConflictException', $metadata: { httpStatusCode: 400 } });
    expect((err as { resourceIds: string[] }).resourceIds).toEqual(first.tasks!.map((t) => t.taskArn));
    expect(h.core.dump().tasks).toHaveLength(2);
  });

  it('tokens are per cluster and forgotten after 24 h', async () => {
    const first = await run('tok-3');
    const other = await run('tok-3', { cluster: 'other' });
    expect(other.tasks![0]!.clusterArn).toMatch(/cluster\/other$/);
    await h.clock.advance(24 * 3_600_000 - 1);
    expect((await run('tok-3')).tasks!.map((t) => t.taskArn)).toEqual(first.tasks!.map((t) => t.taskArn));
    await h.clock.advance(1);
    const fresh = await run('tok-3');
    expect(fresh.tasks).toHaveLength(2);
    expect(fresh.tasks!.map((t) => t.taskArn)).not.toContain(first.tasks![0]!.taskArn);
    expect(h.core.dump().tasks.filter((t) => t.cluster === 'default')).toHaveLength(4);
  });
});

describe('EFS CreateAccessPoint ClientToken', () => {
  const h = useHarness({ limits: false });

  const create = (token: string, uid = 1000) =>
    h.clients.efs.send(
      new CreateAccessPointCommand({
        ClientToken: token,
        FileSystemId: 'fs-0123456789abcdef0',
        PosixUser: { Uid: uid, Gid: 1000 },
        RootDirectory: { Path: '/users/alice', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0750' } },
        Tags: [{ Key: 'owner', Value: 'esr' }],
      }),
    );

  it('creates an access point and answers a repeated token with AccessPointAlreadyExists carrying its id', async () => {
    const ap = await create('user-alice');
    expect(ap.AccessPointId).toMatch(/^fsap-[0-9a-f]{17}$/);
    expect(ap.AccessPointArn).toBe(`arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/${ap.AccessPointId}`);
    expect(ap.LifeCycleState).toBe('available');
    for (const uid of [1000, 2000]) {
      const err = await create('user-alice', uid).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AccessPointAlreadyExists);
      expect((err as AccessPointAlreadyExists).AccessPointId).toBe(ap.AccessPointId);
      expect((err as AccessPointAlreadyExists).$metadata.httpStatusCode).toBe(409);
    }
    const listed = await h.clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: 'fs-0123456789abcdef0' }));
    expect(listed.AccessPoints).toHaveLength(1);
  });

  it('pages DescribeAccessPoints and reports a deleted access point as AccessPointNotFound', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create(`t${i}`)).AccessPointId!);
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await h.clients.efs.send(new DescribeAccessPointsCommand({ FileSystemId: 'fs-0123456789abcdef0', MaxResults: 2, NextToken }));
      expect(page.AccessPoints!.length).toBeLessThanOrEqual(2);
      seen.push(...page.AccessPoints!.map((a) => a.AccessPointId!));
      NextToken = page.NextToken;
    } while (NextToken);
    expect(seen).toEqual(ids);
    await h.clients.efs.send(new DeleteAccessPointCommand({ AccessPointId: ids[0]! }));
    const err = await h.clients.efs.send(new DescribeAccessPointsCommand({ AccessPointId: ids[0]! })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AccessPointNotFound', $metadata: { httpStatusCode: 404 } });
  });

  it('the "return" replay mode gives back the same access point for identical parameters', async () => {
    const h2 = await startHarness({ limits: false, efsReplay: 'return' });
    try {
      const req = { ClientToken: 'x', FileSystemId: 'fs-0123456789abcdef0', PosixUser: { Uid: 1, Gid: 1 } };
      const a = await h2.clients.efs.send(new CreateAccessPointCommand(req));
      const b = await h2.clients.efs.send(new CreateAccessPointCommand(req));
      expect(b.AccessPointId).toBe(a.AccessPointId);
      await expect(h2.clients.efs.send(new CreateAccessPointCommand({ ...req, PosixUser: { Uid: 2, Gid: 1 } }))).rejects.toBeInstanceOf(AccessPointAlreadyExists);
    } finally {
      await h2.close();
    }
  });
});
