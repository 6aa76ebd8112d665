/**
 * Issue 18, items 4 and 5 at the action: whatever the plan (or Redis behind it) says, a tag write
 * only touches our own unclaimed warm task or the session's own task and never the owner tag, and
 * a RunTask never carries an override of a template variable.
 */
import { describe, expect, it } from 'vitest';
import { ControllerCache } from '../../src/controller/cache.js';
import type { ExecutorDeps } from '../../src/controller/execute/context.js';
import { runTaskInput } from '../../src/controller/execute/launch.js';
import { assertTaggable } from '../../src/controller/execute/warm.js';
import { templateSchema } from '../../src/config/templates.js';
import { TAG } from '../../src/observed/model.js';
import { aTask, OWNER, T0 } from '../fixtures/builders.js';

function depsWith(...tasks: ReturnType<typeof aTask>[]): ExecutorDeps {
  const cache = new ControllerCache(OWNER);
  for (const t of tasks) cache.upsertTask(t, T0);
  const template = templateSchema.parse({ image: 'i', port: 8080, subnets: ['s'], environment: { SESSION_EGRESS: 'deny' } });
  return { cache, config: { cluster: 'c', startedBy: 'esr-reconciler', ownerId: OWNER, efsFileSystemId: undefined, templates: { shell: template } } } as unknown as ExecutorDeps;
}

const warm = (o: Parameters<typeof aTask>[0] = {}) => {
  const t = aTask(o);
  const tags: Record<string, string> = { ...t.tags, [TAG.role]: 'warm', [TAG.pool]: 'p' };
  delete tags[TAG.session];
  delete tags[TAG.incarnation];
  return { ...t, tags };
};
const claim = { [TAG.role]: 'session', [TAG.session]: 'a', [TAG.incarnation]: '1' };

describe('tag writes are checked against what ECS shows', () => {
  it('allows our unclaimed warm task and the session own task', () => {
    const w = warm();
    const own = aTask({ session: 'a' });
    const deps = depsWith(w, own);
    expect(() => assertTaggable(deps, w.arn, 'a', claim)).not.toThrow();
    expect(() => assertTaggable(deps, own.arn, 'a', claim)).not.toThrow();
  });

  it('refuses a task of another owner, another session, an unknown task, and any owner-tag write', () => {
    const foreign = warm({ extraTags: { [TAG.owner]: 'someone-else' } });
    const others = aTask({ session: 'b' });
    const w = warm();
    const deps = depsWith(foreign, others, w);
    expect(() => assertTaggable(deps, foreign.arn, 'a', claim)).toThrow(/refusing to tag .*owner tag/);
    expect(() => assertTaggable(deps, others.arn, 'a', claim)).toThrow(/serving session b/);
    expect(() => assertTaggable(deps, 'arn:aws:ecs:us-east-1:1:task/c/unknown', 'a', claim)).toThrow(/refusing to tag/);
    expect(() => assertTaggable(deps, w.arn, 'a', { ...claim, [TAG.owner]: 'x' })).toThrow(/owner tag is never rewritten/);
    for (const t of [foreign, others, w]) {
      try {
        assertTaggable(deps, t.arn, 'a', t === w ? { [TAG.owner]: 'x' } : claim);
      } catch (err) {
        expect((err as Error).name, 'counted as refused by the executor').toBe('NotOwnedError');
      }
    }
  });
});

describe('RunTask overrides only add variables', () => {
  it('throws before the call when an override names a template variable in any case', () => {
    const deps = depsWith();
    const template = deps.config.templates.shell!;
    for (const name of ['SESSION_EGRESS', 'session_egress']) {
      expect(() => runTaskInput(deps, template, 'td', { clientToken: 't', count: 1, tags: {}, env: { [name]: 'allow' }, group: 'g' })).toThrow(new RegExp(`refusing RunTask: env ${name}`));
    }
    const ok = runTaskInput(deps, template, 'td', { clientToken: 't', count: 1, tags: {}, env: { EXTRA: '1' }, group: 'g' });
    expect(ok.overrides?.containerOverrides?.[0]?.environment).toEqual({ EXTRA: '1' });
  });

  it('refuses a template that sets a controller ESR_ variable at start-up', () => {
    const r = templateSchema.safeParse({ image: 'i', port: 1, subnets: ['s'], environment: { esr_user_id: 'x' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('esr_user_id');
  });
});
