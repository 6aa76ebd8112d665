import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SimCore } from '../../src/sim/core.js';
import { SimError } from '../../src/sim/errors.js';

const SUBNETS = { awsvpcConfiguration: { subnets: ['subnet-1'] } };

async function scenario(seed: number): Promise<string[]> {
  const clock = new VirtualClock(0);
  const core = new SimCore({ clock, seed, profile: 'fast', limits: false, faults: { errorRate: { RunTask: 0.3 }, crashRate: 0.5, crashAfterMs: { min: 10, max: 500 } } });
  await core.call('RegisterTaskDefinition', { family: 'f', networkMode: 'awsvpc', containerDefinitions: [{ name: 'm', image: 'i' }] });
  const log: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = await core.call('RunTask', { taskDefinition: 'f', networkConfiguration: SUBNETS }).catch((e: SimError) => e);
    log.push(r instanceof SimError ? r.code : r.tasks![0]!.taskArn!);
    await clock.advance(50);
  }
  await clock.advance(1000);
  for (const t of core.dump().tasks) log.push(`${t.taskArn} ${t.lastStatus} ${t.stopCode ?? ''}`);
  return log;
}

describe('SimCore in-process', () => {
  it('replays a run exactly under the same seed and differs under another', async () => {
    const a = await scenario(5);
    expect(await scenario(5)).toEqual(a);
    expect(await scenario(6)).not.toEqual(a);
    expect(a.some((l) => l === 'ServerException')).toBe(true);
    expect(a.some((l) => l.endsWith('EssentialContainerExited'))).toBe(true);
  });

  it('a hung call settles only when its AbortSignal aborts', async () => {
    const core = new SimCore({ clock: new VirtualClock(0), faults: { hangRate: { ListTasks: 1 } } });
    const ac = new AbortController();
    let settled = false;
    const p = core.call('ListTasks', {}, { signal: ac.signal }).finally(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    ac.abort(new Error('deadline'));
    await expect(p).rejects.toThrow('deadline');
    expect(core.getStats().byOperation.ListTasks).toMatchObject({ calls: 1, hung: 1 });
  });

  it('counts mutating calls separately so a converged loop can assert zero', async () => {
    const core = new SimCore({ clock: new VirtualClock(0), limits: false });
    await core.call('ListTasks', {});
    await core.call('DescribeAccessPoints', {});
    expect(core.getStats().total).toMatchObject({ calls: 2, mutatingCalls: 0, ok: 2 });
    await core.call('StopTask', { task: 'a'.repeat(32) }).catch(() => undefined);
    expect(core.getStats().total).toMatchObject({ calls: 3, mutatingCalls: 1, errors: 1 });
    expect(core.getStats().errorsByCode).toEqual({ InvalidParameterException: 1 });
  });

  it('validation errors are SimErrors with the AWS code, status and a cause', async () => {
    const core = new SimCore({ clock: new VirtualClock(0) });
    const err = await core.call('RunTask', { taskDefinition: 7 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimError);
    expect(err).toMatchObject({ code: 'InvalidParameterException', status: 400 });
    expect((err as SimError).cause).toBeDefined();
  });
});
