/**
 * Issue 18, item 6: one bad key never stops the reconciliation of the rest, and a resync that
 * cannot run says so. A controller wired as in production (real Redis, the simulator over HTTP,
 * /metrics and /readyz over HTTP). Bad input is written as a gateway without ACLs could: store
 * keys of the wrong type (the marker, a pool's status, the warm claims), a spec that is not JSON,
 * a spec naming an unknown template. Meanwhile a task crashes and a new session arrives: both are
 * handled, the bad keys are counted, readiness stays true. A session index of the wrong type
 * cannot be read around: readiness turns false within two resync periods, naming the key, and
 * recovers once the index is a sorted set again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { keyLayout } from '../../src/desired/keys.js';
import { findCondition } from '../../src/desired/schema.js';
import { parseExposition, sample, startObservedStack, type ObservedStack } from '../app/observed-stack.js';
import { connectTestRedis } from '../support/redis.js';
import { TAG } from '../../src/observed/model.js';
import { eventually, TEMPLATES } from '../support/stack.js';

const POOLS = JSON.stringify({ 'warm-a': { template: 'shell', maxSize: 2 } });
let s: ObservedStack | undefined;
const redis = connectTestRedis();
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

async function metrics(stack: ObservedStack): Promise<Map<string, number>> {
  return parseExposition(await (await fetch(`${stack.http.url}/metrics`)).text());
}
async function readyz(stack: ObservedStack): Promise<{ status: number; body: string }> {
  const res = await fetch(`${stack.http.url}/readyz?verbose`);
  return { status: res.status, body: await res.text() };
}

describe('fault isolation', () => {
  it('wrong-typed store keys and poison specs are reported while a crashed task is replaced and a new session starts', async () => {
    s = await startObservedStack({ env: { RECONCILER_POOLS: POOLS } });
    const stack = s;
    const k = keyLayout(stack.prefix);
    for (const id of ['g1', 'g2']) await stack.client.ensureSession({ id, userId: `u-${id}`, template: 'shell', persistence: 'none' });
    const g1 = await stack.client.waitForReady('g1', { signal: AbortSignal.timeout(15_000) });
    await stack.client.waitForReady('g2', { signal: AbortSignal.timeout(15_000) });

    // What a gateway holding the one Redis secret could write.
    await redis.del(k.meta);
    await redis.hset(k.meta, 'x', 'y');
    await redis.hset(k.poolStatus('warm-a'), 'x', 'y');
    await redis.del(k.warmClaims);
    await redis.rpush(k.warmClaims, 'x');
    await redis.set(k.sessionSpec('poison'), '{not json');
    await redis.zadd(k.sessionIndex, 0, 'poison');
    await stack.client.ensureSession({ id: 'notemplate', userId: 'u-x', template: 'no-such-template', persistence: 'none' });

    stack.core.crashTask(g1.taskArn!, { stopCode: 'EssentialContainerExited', reason: 'crashed while the store held bad keys' });
    await stack.client.ensureSession({ id: 'g3', userId: 'u-g3', template: 'shell', persistence: 'none' });
    const g3 = await stack.client.waitForReady('g3', { signal: AbortSignal.timeout(20_000) });
    expect(g3.phase).toBe('Running');
    await eventually('g1 replaced after its crash', async () => {
      const st = (await stack.client.getSession('g1'))?.status;
      return st?.phase === 'Running' && st.taskArn !== g1.taskArn && findCondition(st, 'Ready')?.status === 'True';
    }, 30_000);
    await eventually('notemplate Failed as Invalid', async () => (await stack.client.getSession('notemplate'))?.status?.phase === 'Failed', 15_000);
    expect((await stack.client.getSession('poison'))?.invalid).toMatchObject({ record: 'spec', reason: 'malformed-json' });

    const m = await metrics(stack);
    for (const record of ['meta', 'claims', 'poolStatus']) {
      expect(sample(m, 'esr_invalid_desired_records_total', { kind: 'store', record, reason: 'wrong-type' }), record).toBeGreaterThan(0);
    }
    expect(sample(m, 'esr_invalid_desired_records_total', { kind: 'session', record: 'spec', reason: 'malformed-json' })).toBeGreaterThan(0);
    expect(sample(m, 'esr_full_sync_consecutive_failures', { half: 'desired' })).toBe(0);
    expect(sample(m, 'esr_full_sync_last_success_timestamp_seconds', { half: 'desired' })).toBeGreaterThan(0);
    expect((await readyz(stack)).status).toBe(200);
    // The pool's status is the controller's own: its next write replaces the wrong-typed key.
    await stack.client.setWarmPoolTarget('warm-a', 1, { template: 'shell' });
    await eventually('pool status rewritten as a string', async () => (await redis.type(k.poolStatus('warm-a'))) === 'string', 20_000);
  }, 90_000);

  it('a template whose launches fail (a task size Fargate does not offer) blocks neither other sessions nor other pools', async () => {
    const templates = { shell: TEMPLATES.shell, huge: { ...TEMPLATES.shell, cpu: '256', memory: '99999' } };
    const pools = { 'warm-ok': { template: 'shell', maxSize: 2 }, 'warm-huge': { template: 'huge', maxSize: 2 } };
    s = await startObservedStack({ env: { RECONCILER_TEMPLATES: JSON.stringify(templates), RECONCILER_POOLS: JSON.stringify(pools) } });
    const stack = s;
    await stack.client.setWarmPoolTarget('warm-huge', 2, { template: 'huge' });
    for (let i = 0; i < 3; i++) await stack.client.ensureSession({ id: `big-${i}`, userId: `u-big-${i}`, template: 'huge', persistence: 'none' });
    await stack.client.setWarmPoolTarget('warm-ok', 2, { template: 'shell' });
    for (let i = 0; i < 3; i++) await stack.client.ensureSession({ id: `ok-${i}`, userId: `u-ok-${i}`, template: 'shell', persistence: 'none' });
    for (let i = 0; i < 3; i++) expect((await stack.client.waitForReady(`ok-${i}`, { signal: AbortSignal.timeout(20_000) })).phase).toBe('Running');
    await eventually('warm-ok holds 2 warm tasks', () => stack.core.dump().tasks.filter((t) => t.tags[TAG.pool] === 'warm-ok' && t.lastStatus === 'RUNNING').length === 2, 20_000);
    expect(stack.core.dump().tasks.filter((t) => t.tags[TAG.pool] === 'warm-huge' || String(t.tags[TAG.session]).startsWith('big-'))).toEqual([]);
    expect(stack.core.getStats().byOperation['RegisterTaskDefinition']?.errors ?? 0).toBeGreaterThan(0);
    // Each failing session says why in its events (`reconciler describe session`), naming AWS's answer.
    for (let i = 0; i < 3; i++) {
      await eventually(`big-${i} events name the refusal`, async () => (await redis.lrange(`{${stack.prefix}}:session:big-${i}:events`, 0, -1)).some((e) => e.includes('No Fargate configuration exists')), 20_000);
      expect((await stack.client.getSession(`big-${i}`))?.status?.phase).not.toBe('Running');
    }
  }, 90_000);

  it('a session index of the wrong type makes readiness and the metrics say so within two resyncs, and recovers', async () => {
    s = await startObservedStack();
    const stack = s;
    const k = keyLayout(stack.prefix);
    await stack.client.ensureSession({ id: 'a1', userId: 'u-a1', template: 'shell', persistence: 'none' });
    await stack.client.waitForReady('a1', { signal: AbortSignal.timeout(15_000) });
    expect((await readyz(stack)).status).toBe(200);

    await redis.del(k.sessionIndex);
    await redis.hset(k.sessionIndex, 'a1', '0');
    // RECONCILER_RESYNC_SECONDS=2 in the stack: false within 2 resync periods of the first failure.
    await eventually('readiness false, naming the index', async () => {
      const r = await readyz(stack);
      return r.status === 503 && r.body.includes(k.sessionIndex) && r.body.includes('WRONGTYPE');
    }, 30_000);
    const m = await metrics(stack);
    expect(sample(m, 'esr_full_sync_consecutive_failures', { half: 'desired' })).toBeGreaterThan(0);
    expect(sample(m, 'esr_full_sync_consecutive_failures', { half: 'observed' })).toBe(0);
    // The session kept its task: an unreadable index is never read as "no sessions".
    expect((await stack.client.getSession('a1'))?.status?.phase).toBe('Running');

    await redis.del(k.sessionIndex);
    await stack.client.ensureSession({ id: 'a1', userId: 'u-a1', template: 'shell', persistence: 'none', labels: { fixed: 'yes' } });
    await eventually('readiness back', async () => (await readyz(stack)).status === 200, 30_000);
    expect(stack.core.dump().tasks.filter((t) => t.desiredStatus === 'RUNNING')).toHaveLength(1);
  }, 90_000);
});
