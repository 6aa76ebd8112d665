/**
 * Call accounting and fault injection shared by the fake ECS/EFS: every call is counted by
 * name (`ecs.describeTasks`, `efs.createAccessPoint`, ...), an aborted signal rejects before
 * anything happens, and injected failures are thrown in order.
 */
import type { CallOptions } from './aws-api.js';
import { throwIfAborted } from './fake-error.js';

export type FakeOperation =
  | 'ecs.listTasks'
  | 'ecs.describeTasks'
  | 'ecs.runTask'
  | 'ecs.stopTask'
  | 'ecs.tagResource'
  | 'ecs.registerTaskDefinition'
  | 'ecs.describeTaskDefinition'
  | 'ecs.listTaskDefinitions'
  | 'efs.createAccessPoint'
  | 'efs.describeAccessPoints'
  | 'efs.deleteAccessPoint';

/** Operations that change state at AWS (the rest are reads). */
export const MUTATING_OPERATIONS: ReadonlySet<FakeOperation> = new Set<FakeOperation>([
  'ecs.runTask',
  'ecs.stopTask',
  'ecs.tagResource',
  'ecs.registerTaskDefinition',
  'efs.createAccessPoint',
  'efs.deleteAccessPoint',
]);

export class FakeCalls {
  private readonly counts = new Map<FakeOperation, number>();
  private readonly failures = new Map<FakeOperation, unknown[]>();

  /** Counts the call, then throws on abort or an injected failure. */
  enter(op: FakeOperation, opts: CallOptions | undefined): void {
    this.counts.set(op, (this.counts.get(op) ?? 0) + 1);
    throwIfAborted(opts?.signal);
    const queue = this.failures.get(op);
    if (queue && queue.length > 0) throw queue.shift();
  }

  /** The next `times` calls of `op` throw `error` (after being counted). */
  failNext(op: FakeOperation, error: unknown, times = 1): void {
    const queue = this.failures.get(op) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(op, queue);
  }

  count(op: FakeOperation): number {
    return this.counts.get(op) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  mutating(): number {
    let n = 0;
    for (const [op, c] of this.counts) if (MUTATING_OPERATIONS.has(op)) n += c;
    return n;
  }

  /** Counts by operation, only those called at least once. */
  snapshot(): Partial<Record<FakeOperation, number>> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.counts.clear();
  }
}
