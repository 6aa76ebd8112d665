/**
 * The controller's view of ECS and EFS: plain, immutable, tolerant of what real ECS omits.
 * A field ECS did not send is `undefined` ("unknown"), never a guessed value.
 *
 * Times are epoch milliseconds.
 */

/** ECS task lifecycle states, in order. Unknown strings from ECS map to 'UNKNOWN'. */
export const TASK_STATUSES = [
  'PROVISIONING',
  'PENDING',
  'ACTIVATING',
  'RUNNING',
  'DEACTIVATING',
  'STOPPING',
  'DEPROVISIONING',
  'STOPPED',
  'DELETED',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number] | 'UNKNOWN';

/** Tag keys on every task the controller starts; the mapping is rebuilt from ECS alone with them. */
export const TAG = {
  /** The owning controller installation (cluster id); a task without it is never touched. */
  owner: 'esr:owner',
  /** 'session' or 'warm'. */
  role: 'esr:role',
  /** The session id a task serves (set at launch for cold tasks, at claim for warm ones). */
  session: 'esr:session',
  /** The warm pool a warm task was started for. */
  pool: 'esr:pool',
  /** The session incarnation (a decimal integer) the task was launched for. */
  incarnation: 'esr:incarnation',
  /** Content hash of the task definition inputs (also on task definitions). */
  specHash: 'esr:spec-hash',
  /** The user a session task or access point belongs to. */
  user: 'esr:user',
  /** The life (spec uid) of the session a task serves; absent for records older than uids. */
  uid: 'esr:uid',
  /** The EFS access point a task mounts, or `none`: lets the plan judge a task's content while EFS is unreadable. */
  accessPoint: 'esr:access-point',
} as const;

export type TaskRole = 'session' | 'warm';

export interface ObservedTask {
  readonly arn: string;
  readonly taskDefinitionArn: string | undefined;
  readonly lastStatus: TaskStatus;
  readonly desiredStatus: TaskStatus;
  readonly startedBy: string | undefined;
  readonly group: string | undefined;
  readonly createdAt: number | undefined;
  readonly startedAt: number | undefined;
  readonly stoppingAt: number | undefined;
  readonly stoppedAt: number | undefined;
  readonly stopCode: string | undefined;
  readonly stoppedReason: string | undefined;
  /** Private IPv4 address of the task's ENI, when attached. */
  readonly privateIp: string | undefined;
  /** All tags, as ECS returned them (empty when ECS sent none, e.g. a lagging describe). */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * ECS `version` of the task: grows with every change ECS makes to it (DescribeTasks and the
   * "ECS Task State Change" event carry the same counter), so of two views of one task the
   * higher version is the newer. Undefined when ECS did not send it.
   */
  readonly version?: number | undefined;
}

export interface ObservedAccessPoint {
  readonly id: string;
  readonly arn: string | undefined;
  readonly fileSystemId: string;
  readonly lifeCycleState: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** RootDirectory.Path the access point confines clients to (undefined when EFS did not say). */
  readonly rootPath?: string;
  /** PosixUser the access point enforces on every file operation (undefined: none enforced). */
  readonly posixUser?: { readonly uid: number; readonly gid: number };
}

/** One consistent read of everything the controller owns. */
export interface ObservedSnapshot {
  /** When the read finished (epoch ms). */
  readonly readAt: number;
  /** Every task with our startedBy, RUNNING and STOPPED, keyed by ARN. */
  readonly tasks: ReadonlyMap<string, ObservedTask>;
  /** Access points carrying our owner tag, keyed by id. */
  readonly accessPoints: ReadonlyMap<string, ObservedAccessPoint>;
  /** False when the access-point read failed (EFS down): plan must not conclude "missing". */
  readonly accessPointsKnown: boolean;
}

/** A task is live from launch until it reaches STOPPED (or desiredStatus STOPPED). */
export function isLive(task: ObservedTask): boolean {
  return task.lastStatus !== 'STOPPED' && task.lastStatus !== 'DELETED' && task.desiredStatus !== 'STOPPED';
}

/** True while ECS is still bringing the task up (PROVISIONING..ACTIVATING) or unknown-but-not-stopped. */
export function isStarting(task: ObservedTask): boolean {
  return isLive(task) && task.lastStatus !== 'RUNNING';
}

export function isRunning(task: ObservedTask): boolean {
  return task.lastStatus === 'RUNNING' && task.desiredStatus !== 'STOPPED';
}

/** Reads the incarnation tag; undefined when absent or not a non-negative integer. */
export function incarnationOf(task: ObservedTask): number | undefined {
  const raw = task.tags[TAG.incarnation];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}
