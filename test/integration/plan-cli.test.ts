/**
 * `reconciler plan` from live state, as an operator runs it: exit 2 with the planned actions,
 * 0 once converged, 1 on error (terraform's -detailed-exitcode convention).
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/common/local-redis.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

const BIN = new URL('../../bin/reconciler.js', import.meta.url).pathname;
let stack: Stack | undefined;
afterAll(async () => stack?.stop());

function plan(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'plan', ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('reconciler plan', () => {
  it('exits 2 with the actions it would take, 0 once converged, 1 when it cannot read state', async () => {
    stack = await startStack({ start: false });
    const s = stack;
    await s.client.ensureSession({ id: 'p1', userId: 'u1', template: 'shell', persistence: 'none' });
    await s.client.ensureSession({ id: 'p2', userId: 'u2', template: 'shell', persistence: 'none' });

    const pending = await plan(s.env, '-o', 'json');
    expect(pending.code).toBe(2);
    const actions = (JSON.parse(pending.stdout) as { actions: Array<{ key: string; type: string; drift: string }> }).actions;
    expect(actions.map((a) => a.key).sort()).toEqual(['p1', 'p2']);
    expect(actions.every((a) => a.type === 'ensureTaskDefinition' && a.drift === 'TaskDefinitionMissing')).toBe(true);
    expect(s.core.getStats().total.mutatingCalls).toBe(0); // plan never acts

    await s.daemon.controller.start();
    await eventually('both Running', () => ['p1', 'p2'].every((id) => s.daemon.controller.cache.sessions.get(id)?.status?.phase === 'Running'), 15_000);
    const converged = await plan(s.env);
    expect(converged.code).toBe(0);
    expect(converged.stdout).toContain('No changes');

    const broken = await plan({ ...s.env, REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_COMMAND_TIMEOUT_MS: '300' });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/reconciler: /);
  });
});
