import type { Tag, TaskOverride, TaskStopCode } from '@aws-sdk/client-ecs';

/**
 * A simulated task is a set of timestamps; its status at any time t is computed from
 * them ("status at time t"), so the model needs no timers and is exact on a virtual clock.
 *
 * Start:  PROVISIONING [createdAt] -> PENDING [pendingAt] -> ACTIVATING [activatingAt] -> RUNNING [runningAt]
 * Stop:   at stop.at, a task that reached RUNNING goes DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED;
 *         a task stopped before RUNNING goes DEPROVISIONING -> STOPPED.
 * All times are epoch milliseconds.
 */
export interface StopRequest {
  /** When the stop takes effect (may lie in the future for a scheduled crash). */
  at: number;
  code: TaskStopCode;
  reason: string;
  /** Exit code reported for the essential container (absent when it never ran). */
  exitCode?: number;
}

export interface TaskRecord {
  id: string;
  arn: string;
  cluster: string;
  clusterArn: string;
  taskDefinitionArn: string;
  family: string;
  revision: number;
  containers: Array<{ name: string; image: string; arn: string }>;
  cpu?: string;
  memory?: string;
  startedBy?: string;
  group?: string;
  launchType?: string;
  capacityProviderName?: string;
  platformVersion?: string;
  overrides?: TaskOverride;
  tags: Tag[];
  clientToken?: string;
  eni: { attachmentId: string; eniId: string; privateIp: string; subnetId: string; mac: string };
  createdAt: number;
  pendingAt: number;
  activatingAt: number;
  runningAt: number;
  /** Durations of the stop phases, drawn at creation (ms). */
  stopDurations: { deactivating: number; stopping: number; deprovisioning: number };
  /** The earliest stop request; replaced only by an earlier one. */
  stop?: StopRequest;
}

export type TaskStatus =
  | 'PROVISIONING'
  | 'PENDING'
  | 'ACTIVATING'
  | 'RUNNING'
  | 'DEACTIVATING'
  | 'STOPPING'
  | 'DEPROVISIONING'
  | 'STOPPED';

export interface TaskState {
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  startedAt?: number;
  stoppingAt?: number;
  executionStoppedAt?: number;
  stoppedAt?: number;
  /** The stop in force at t (absent while the task is not stopping). */
  stop?: StopRequest;
}

/** The stop request in force at time t, if any. */
export function effectiveStop(task: TaskRecord, t: number): StopRequest | undefined {
  return task.stop && task.stop.at <= t ? task.stop : undefined;
}

/** When the task reaches (or reached) STOPPED, given its stop request; undefined when none is in force by t. */
export function stoppedAtOf(task: TaskRecord, t: number): number | undefined {
  const stop = effectiveStop(task, t);
  if (!stop) return undefined;
  const d = task.stopDurations;
  return stop.at < task.runningAt ? stop.at + d.deprovisioning : stop.at + d.deactivating + d.stopping + d.deprovisioning;
}

export function stateAt(task: TaskRecord, t: number): TaskState {
  const stop = effectiveStop(task, t);
  if (!stop) {
    const lastStatus: TaskStatus =
      t < task.pendingAt ? 'PROVISIONING' : t < task.activatingAt ? 'PENDING' : t < task.runningAt ? 'ACTIVATING' : 'RUNNING';
    return { lastStatus, desiredStatus: 'RUNNING', ...(t >= task.runningAt ? { startedAt: task.runningAt } : {}) };
  }
  const d = task.stopDurations;
  const s = stop.at;
  const started = task.runningAt <= s;
  const stoppedAt = stoppedAtOf(task, t)!;
  const execStoppedAt = started ? s + d.deactivating + d.stopping : s;
  let lastStatus: TaskStatus;
  if (t >= stoppedAt) lastStatus = 'STOPPED';
  else if (!started) lastStatus = 'DEPROVISIONING';
  else if (t < s + d.deactivating) lastStatus = 'DEACTIVATING';
  else if (t < execStoppedAt) lastStatus = 'STOPPING';
  else lastStatus = 'DEPROVISIONING';
  return {
    lastStatus,
    desiredStatus: 'STOPPED',
    stoppingAt: s,
    stop,
    ...(started ? { startedAt: task.runningAt } : {}),
    ...(t >= execStoppedAt ? { executionStoppedAt: execStoppedAt } : {}),
    ...(lastStatus === 'STOPPED' ? { stoppedAt } : {}),
  };
}

/**
 * Every instant at which the task's status changes under its current record (start phases,
 * then the stop phases of the stop in force, if any), ascending. A later stop request changes
 * the answer, so callers ask again after each one. Used to emit task state change events.
 */
export function transitionTimes(task: TaskRecord): number[] {
  const start = [task.createdAt, task.pendingAt, task.activatingAt, task.runningAt];
  const stop = task.stop;
  if (!stop) return start;
  const d = task.stopDurations;
  const s = stop.at;
  const before = start.filter((t) => t < s);
  const after = s < task.runningAt ? [s, s + d.deprovisioning] : [s, s + d.deactivating, s + d.deactivating + d.stopping, s + d.deactivating + d.stopping + d.deprovisioning];
  return [...before, ...after];
}

/**
 * Records a stop request at `req.at` unless an earlier one is already recorded.
 * Returns true when the request took effect.
 */
export function requestStop(task: TaskRecord, req: StopRequest): boolean {
  if (task.stop && task.stop.at <= req.at) return false;
  task.stop = req;
  return true;
}
