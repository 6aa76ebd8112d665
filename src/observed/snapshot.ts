/**
 * One full read of what the controller owns at ECS and EFS, as an immutable ObservedSnapshot.
 *
 * Cost per read (the API-economy rule): ListTasks pages for desiredStatus RUNNING and STOPPED
 * (100 ARNs a page, at least one page each), ceil(N/100) DescribeTasks for N distinct tasks,
 * and, when a file system is given, the DescribeAccessPoints pages. Nothing else.
 *
 * Rules:
 * - Tasks are selected by `startedBy` only, not by tag: a lagging describe may omit tags, and
 *   dropping such a task would make plan launch a duplicate. Ownership is judged in plan.
 * - A task listed but MISSING on describe vanished in between; it is simply absent.
 * - An ECS failure fails the read (SnapshotReadError with the cause). An EFS failure does not:
 *   the snapshot says `accessPointsKnown: false` so plan does not conclude "missing".
 * - An aborted signal always rejects.
 */
import type { Clock } from '../common/clock.js';
import { ECS_PAGE_MAX, type AwsApi } from './aws-api.js';
import { chunk, mapLimit } from './map-limit.js';
import type { ObservedAccessPoint, ObservedSnapshot, ObservedTask } from './model.js';
import { ownedBy } from './task-tags.js';
import { sameTaskView } from './same-task-view.js';

export interface ReadSnapshotOptions {
  readonly cluster: string;
  readonly startedBy: string;
  /** Value of our owner tag; access points without it are not ours. */
  readonly owner: string;
  /** The EFS file system holding per-user access points; omit when persistence is off. */
  readonly fileSystemId?: string;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** DescribeTasks batches in flight at once (default 4). */
  readonly describeConcurrency?: number;
  /** DescribeAccessPoints page size (default 100, the EFS default). */
  readonly accessPointPageSize?: number;
  /**
   * The caller's current object for a task (the controller cache's), if any. A task the read finds
   * unchanged (`sameTaskView`) comes back as that object, and a listed ARN as its string, as soon as
   * its page arrives, so a full read of 100,000 unchanged tasks leaves no second copy of them to
   * collect (docs/performance.md, finding 7). Values are the same either way.
   */
  readonly known?: (arn: string) => ObservedTask | undefined;
  /**
   * The caller's form of each described task, applied as its DescribeTasks page arrives (in place
   * of `known`'s hand-back when given): the controller cache returns its object for an unchanged
   * task and a compact copy of any other (compact-task.ts), so a first full read of 100,000 tasks
   * never holds 100,000 parsed tasks at once. Must return a task equal in value.
   */
  readonly adopt?: (task: ObservedTask) => ObservedTask;
}

export class SnapshotReadError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'SnapshotReadError';
  }
}

async function listAll(api: AwsApi, o: ReadSnapshotOptions, desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  let page = 0;
  do {
    page++;
    try {
      const out = await api.ecs.listTasks(
        { cluster: o.cluster, startedBy: o.startedBy, desiredStatus, maxResults: ECS_PAGE_MAX, nextToken },
        { signal: o.signal },
      );
      for (const arn of out.taskArns) arns.push(o.known?.(arn)?.arn ?? arn);
      nextToken = out.nextToken;
    } catch (err) {
      throw new SnapshotReadError(`ListTasks ${desiredStatus} page ${page} of cluster ${o.cluster} failed`, { cause: err });
    }
  } while (nextToken !== undefined);
  return arns;
}

/** DescribeTasks (with tags) for `arns`, in batches of 100, `concurrency` at a time. */
export async function describeAll(
  api: AwsApi,
  cluster: string,
  arns: readonly string[],
  opts: { readonly concurrency?: number; readonly signal?: AbortSignal; readonly known?: ReadSnapshotOptions['known']; readonly adopt?: ReadSnapshotOptions['adopt'] } = {},
): Promise<ObservedTask[]> {
  const batches = chunk(arns, ECS_PAGE_MAX);
  const known = opts.known;
  const form = opts.adopt ?? (known ? (t: ObservedTask) => unchangedOrSelf(t, known(t.arn)) : undefined);
  const results = await mapLimit(batches, opts.concurrency ?? 4, async (batch, i) => {
    try {
      const { tasks } = await api.ecs.describeTasks({ cluster, tasks: batch }, { signal: opts.signal });
      return form ? tasks.map(form) : tasks;
    } catch (err) {
      throw new SnapshotReadError(`DescribeTasks batch ${i + 1}/${batches.length} (${batch.length} tasks) of cluster ${cluster} failed`, {
        cause: err,
      });
    }
  });
  return results.flat();
}

/** `held` when it is an equal view of `task` (the caller keeps its object), else `task`. */
function unchangedOrSelf(task: ObservedTask, held: ObservedTask | undefined): ObservedTask {
  return held !== undefined && sameTaskView(held, task) ? held : task;
}

async function readAccessPoints(api: AwsApi, o: ReadSnapshotOptions, fileSystemId: string): Promise<ObservedAccessPoint[]> {
  const out: ObservedAccessPoint[] = [];
  let nextToken: string | undefined;
  do {
    const page = await api.efs.describeAccessPoints(
      { fileSystemId, nextToken, maxResults: o.accessPointPageSize ?? 100 },
      { signal: o.signal },
    );
    for (const ap of page.accessPoints) if (ownedBy(ap, o.owner)) out.push(ap);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return out;
}

export async function readSnapshot(api: AwsApi, o: ReadSnapshotOptions): Promise<ObservedSnapshot> {
  const efsRead: Promise<ObservedAccessPoint[] | undefined> =
    o.fileSystemId === undefined
      ? Promise.resolve([])
      : readAccessPoints(api, o, o.fileSystemId).catch((err: unknown) => {
          if (o.signal?.aborted) throw err;
          return undefined;
        });
  // Keep a rejected EFS read from surfacing as unhandled while the ECS read is still running.
  efsRead.catch(() => undefined);
  const [running, stopped] = await Promise.all([listAll(api, o, 'RUNNING'), listAll(api, o, 'STOPPED')]);
  const arns = [...new Set([...running, ...stopped])];
  const described = await describeAll(api, o.cluster, arns, { concurrency: o.describeConcurrency, signal: o.signal, known: o.known, adopt: o.adopt });
  const tasks = new Map<string, ObservedTask>();
  for (const t of described) tasks.set(t.arn, t);
  const aps = await efsRead;
  const accessPoints = new Map<string, ObservedAccessPoint>();
  for (const ap of aps ?? []) accessPoints.set(ap.id, ap);
  return {
    readAt: o.clock.now(),
    tasks,
    accessPoints,
    accessPointsKnown: aps !== undefined,
  };
}
