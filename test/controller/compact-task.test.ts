/**
 * compactTask and sameTaskView: the cache keeps tasks in a compact form whose values are those
 * of the task as parsed, and keeps the cached object of a task that did not change.
 */
import { describe, expect, it } from 'vitest';
import { ControllerCache } from '../../src/controller/cache.js';
import { compactTask } from '../../src/controller/compact-task.js';
import { sameTaskView } from '../../src/observed/same-task-view.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { TAG } from '../../src/observed/model.js';
import { aSpec, aStatus, aTask, anEntry, anObserved, OWNER, T0 } from '../fixtures/builders.js';

describe('compactTask', () => {
  it('keeps every value: with its session entry, without one, and where the entry holds other strings', () => {
    const task = aTask({ session: 's1', extraTags: { [TAG.uid]: 'abcdef0123', 'x-other': 'y' } });
    const entry = anEntry({ id: 's1', spec: aSpec({ id: 's1', uid: 'abcdef0123' }), status: aStatus({ taskArn: task.arn, endpoint: { ip: task.privateIp!, port: 8080 } }) });
    const other = anEntry({ id: 's1', spec: aSpec({ id: 's1', userId: 'u9', uid: '99999999' }), status: aStatus({ taskArn: 'arn:other', endpoint: { ip: '10.9.9.9', port: 8080 } }) });
    for (const e of [entry, other, undefined]) {
      const c = compactTask(task, e);
      expect(c).toEqual(task);
      expect(c.tags).not.toBe(task.tags); // rebuilt
      expect(sameTaskView(c, task)).toBe(true);
    }
  });
});

describe('sameTaskView', () => {
  const base = aTask({ version: 3 });
  const changes: Array<[string, Partial<ObservedTask>]> = [
    ['arn', { arn: 'arn:x' }],
    ['taskDefinitionArn', { taskDefinitionArn: 'td:2' }],
    ['lastStatus', { lastStatus: 'STOPPED' }],
    ['desiredStatus', { desiredStatus: 'STOPPED' }],
    ['startedBy', { startedBy: 'someone' }],
    ['group', { group: 'g' }],
    ['createdAt', { createdAt: T0 + 1 }],
    ['startedAt', { startedAt: undefined }],
    ['stoppingAt', { stoppingAt: T0 }],
    ['stoppedAt', { stoppedAt: T0 }],
    ['stopCode', { stopCode: 'TaskFailedToStart' }],
    ['stoppedReason', { stoppedReason: 'r' }],
    ['privateIp', { privateIp: '10.0.0.6' }],
    ['version', { version: 4 }],
    ['a tag value', { tags: { ...base.tags, [TAG.incarnation]: '2' } }],
    ['a tag more', { tags: { ...base.tags, extra: '' } }],
    ['a tag less', { tags: Object.fromEntries(Object.entries(base.tags).slice(1)) }],
    ['a tag renamed', { tags: Object.fromEntries(Object.entries(base.tags).map(([k, v], i) => [i === 0 ? 'renamed' : k, v])) }],
  ];

  it('is true for an equal copy and false for a change of any one field or tag', () => {
    expect(sameTaskView(base, { ...base, tags: { ...base.tags } })).toBe(true);
    for (const [what, change] of changes) expect([what, sameTaskView(base, { ...base, ...change })]).toEqual([what, false]);
  });
});

describe('ControllerCache keeps a task object while ECS shows no change', () => {
  it('a full read of an unchanged task keeps the cached object; a changed one replaces it', () => {
    const cache = new ControllerCache(OWNER);
    const task = aTask({ session: 's1', version: 2 });
    cache.replaceObserved(anObserved([task]), T0);
    const cached = cache.tasks.get(task.arn)!;
    expect(cached).toEqual(task);
    cache.replaceObserved(anObserved([{ ...task, tags: { ...task.tags } }]), T0 + 1);
    expect(cache.tasks.get(task.arn)).toBe(cached);
    cache.replaceObserved(anObserved([{ ...task, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 3 }]), T0 + 2);
    expect(cache.tasks.get(task.arn)).not.toBe(cached);
    expect(cache.tasks.get(task.arn)?.lastStatus).toBe('STOPPED');
    expect(cache.tasksOf('s1').map((t) => t.arn)).toEqual([task.arn]);
  });

  it('the tasks of a session whose records change stay equal to what ECS showed', () => {
    const cache = new ControllerCache(OWNER);
    const task = aTask({ session: 's1', version: 2 });
    cache.replaceObserved(anObserved([task]), T0);
    cache.replaceDesired({ sessions: new Map([['s1', anEntry({ status: aStatus({ taskArn: task.arn, endpoint: { ip: task.privateIp!, port: 8080 } }) })]]) }, T0, T0 + 1);
    cache.setStatus('s1', aStatus({ phase: 'Running', taskArn: task.arn }), T0 + 2);
    cache.setSessionEntry('s1', anEntry({ status: aStatus({ taskArn: task.arn }) }), T0 + 3);
    expect(cache.tasks.get(task.arn)).toEqual(task);
    expect(cache.tasksOf('s1')).toEqual([task]);
  });
});
