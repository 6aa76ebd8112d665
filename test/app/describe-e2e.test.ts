/**
 * End to end: an ECS outage opens the breaker while a new session wants a task; the controller
 * records what happened as session events in Redis, and `reconciler describe session` (the real
 * CLI, a separate process) names the blocking reason and the next attempt.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { describeSession } from '../../src/events/describe-session.js';
import { eventually } from '../support/stack.js';
import { startObservedStack, type ObservedStack } from './observed-stack.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/reconciler.js', import.meta.url).pathname;

const stacks: ObservedStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

describe('describe session: breaker open', () => {
  it('names "ECS unavailable (circuit open)" and when the next attempt is due, in Redis events and the CLI', async () => {
    const s = await startObservedStack({ env: { RECONCILER_BREAKER_THRESHOLD: '1', RECONCILER_BREAKER_COOLDOWN_MS: '60000' } });
    stacks.push(s);
    s.core.startOutage('ecs', 120_000);
    await s.client.ensureSession({ id: 'blocked', userId: 'u1', template: 'shell', persistence: 'none' });
    await eventually('the breaker rejected a call for the session', async () => {
      await s.obs.events?.flush();
      const d = await describeSession({ redis: s.daemon.redis, prefix: s.prefix, id: 'blocked', now: Date.now() });
      return d.explanation.reason === 'CircuitOpen';
    }, 20_000);
    await s.obs.events?.flush();

    const d = await describeSession({ redis: s.daemon.redis, prefix: s.prefix, id: 'blocked', now: Date.now() });
    expect(d.explanation.converged).toBe(false);
    expect(d.explanation.message).toMatch(/^ECS unavailable \(circuit open\), retry after /);
    expect(d.explanation.nextAttemptAt).toBeGreaterThan(Date.now());
    const reasons = d.events.map((e) => e.reason);
    expect(reasons).toContain('CircuitOpen');
    expect(reasons).toContain('BackOff');
    expect(reasons.some((r) => r === 'MissingTask' || r === 'TaskDefinitionMissing')).toBe(true);

    const text = await run(process.execPath, [BIN, 'describe', 'session', 'blocked'], { env: { ...process.env, ...s.env } });
    expect(text.stdout).toMatch(/Reason:\s+CircuitOpen/);
    expect(text.stdout).toMatch(/Next attempt:\s+\d{4}-\d\d-\d\dT.*\(in \d+/);
    expect(text.stdout).toMatch(/Warning\s+CircuitOpen/);
    const json = JSON.parse((await run(process.execPath, [BIN, 'describe', 'session', 'blocked', '-o', 'json'], { env: { ...process.env, ...s.env } })).stdout) as { explanation: { reason: string }; spec: { id: string } };
    expect(json.explanation.reason).toBe('CircuitOpen');
    expect(json.spec.id).toBe('blocked');
  }, 60_000);
});

describe('describe session: a crashed task', () => {
  it('shows the crash (ECS stop code and reason) and the relaunch among the events', async () => {
    const s = await startObservedStack();
    stacks.push(s);
    await s.client.ensureSession({ id: 'crashy', userId: 'u1', template: 'shell', persistence: 'none' });
    const first = await s.client.waitForReady('crashy', { signal: AbortSignal.timeout(20_000) });
    s.core.crashTask(first.taskArn!, { stopCode: 'EssentialContainerExited', reason: 'agent crashed' });
    await eventually('a new incarnation Running', async () => {
      const e = await s.client.getSession('crashy');
      return e?.status?.phase === 'Running' && e.status.incarnation > first.incarnation;
    }, 20_000);
    await s.obs.events?.flush();
    const text = (await run(process.execPath, [BIN, 'describe', 'session', 'crashy'], { env: { ...process.env, ...s.env } })).stdout;
    expect(text).toMatch(/TaskStopped/);
    expect(text).toMatch(/EssentialContainerExited/);
    expect(text).toMatch(/agent crashed/);
  }, 60_000);
});
