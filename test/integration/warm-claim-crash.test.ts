/**
 * A controller dies between the Redis claim and the ECS tag. The next controller (no memory)
 * completes the claim, or reverses it when the session is gone: a warm task never serves two
 * sessions and is never lost.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildDaemon, type DaemonParts } from '../../src/app/daemon.js';
import { TAG } from '../../src/observed/model.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import { simClients } from '../../src/sim/sdk-clients.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
let second: DaemonParts | undefined;
afterEach(async () => {
  await second?.controller.stop(500);
  await second?.close();
  second = undefined;
  await stack?.stop();
  stack = undefined;
});

const POOLS = JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 10 } });

async function claimThenDie(): Promise<{ s: Stack; arn: string }> {
  const s = await startStack({ env: { RECONCILER_POOLS: POOLS } });
  stack = s;
  await s.client.setWarmPoolTarget('shell-warm', 1, { template: 'shell' });
  await eventually('1 warm task RUNNING', () => s.core.dump().tasks.some((t) => t.tags[TAG.role] === 'warm' && t.lastStatus === 'RUNNING'));
  await s.daemon.controller.stop(0);
  s.core.setFaults({ hangRate: { TagResource: 1 } });
  // A fresh controller with the TagResource call hanging: the claim lands in Redis, the tag never does.
  const first = buildDaemon(s.config, { env: s.env, aws: new SdkAwsApi(simClients(s.sim.url)) });
  await first.controller.start();
  await s.client.ensureSession({ id: 'c1', userId: 'u1', template: 'shell', persistence: 'none' });
  await eventually('claim recorded', async () => (await s.daemon.store.warmClaims()).size === 1);
  const [arn] = [...(await s.daemon.store.warmClaims()).keys()];
  await eventually('TagResource in flight', () => (s.core.getStats().byOperation.TagResource?.calls ?? 0) >= 1);
  await first.controller.stop(0); // dies: the in-flight TagResource is abandoned
  await first.close();
  s.core.setFaults({});
  return { s, arn: arn! };
}

function restart(s: Stack): Promise<void> {
  second = buildDaemon(s.config, { env: s.env, aws: new SdkAwsApi(simClients(s.sim.url)) });
  return second.controller.start();
}

describe('crash between the warm claim and the ECS tag', () => {
  it('the next controller completes the claim: the task is tagged for the session, nothing duplicated', async () => {
    const { s, arn } = await claimThenDie();
    expect(s.core.dump().tasks.find((t) => t.taskArn === arn)?.tags[TAG.session]).toBeUndefined();
    // Claimed but not tagged: the status names the task yet is not Ready (the task does not know its session).
    expect((await s.client.getSession('c1'))?.status).toMatchObject({ phase: 'Starting', taskArn: arn, warm: true });
    expect((await s.client.getSession('c1'))?.status?.endpoint).toBeUndefined();
    await restart(s);
    const ready = await s.client.waitForReady('c1', { signal: AbortSignal.timeout(10_000) });
    expect(ready).toMatchObject({ phase: 'Running', taskArn: arn, warm: true });
    await eventually('task tagged for c1', () => s.core.dump().tasks.find((t) => t.taskArn === arn)?.tags[TAG.session] === 'c1');
    const served = s.core.dump().tasks.filter((t) => t.tags[TAG.session] === 'c1' && t.desiredStatus !== 'STOPPED');
    expect(served.map((t) => t.taskArn)).toEqual([arn]);
    expect((await s.client.getSession('c1'))?.status?.taskArn).toBe(arn);
    expect((await s.daemon.store.warmClaims()).get(arn)?.sessionId).toBe('c1');
  });

  it('the session was deleted meanwhile: the claim is reversed (task stopped, claim released), never given to another session', async () => {
    const { s, arn } = await claimThenDie();
    await s.client.deleteSession('c1');
    await s.client.ensureSession({ id: 'c2', userId: 'u2', template: 'shell', persistence: 'none' });
    await restart(s);
    await eventually('c1 purged and its task stopped', async () => (await s.client.getSession('c1')) === undefined && s.core.dump().tasks.find((t) => t.taskArn === arn)?.desiredStatus === 'STOPPED');
    await eventually('claim released', async () => !(await s.daemon.store.warmClaims()).has(arn), 15_000);
    const c2 = await s.client.waitForReady('c2', { signal: AbortSignal.timeout(10_000) });
    expect(c2.taskArn).not.toBe(arn);
  });
});
