/**
 * Actions: what the plan asks the executors to do. Each is idempotent (running it twice has
 * the effect of running it once) and carries the drift kind that caused it.
 */
import type { SessionStatus } from '../../desired/schema.js';
import type { DriftKind } from './drift.js';
import type { ExpiryReason } from './lifetime.js';

/** Everything needed to register (or find) a task definition and launch a session task. */
export interface LaunchSpec {
  template: string;
  userId: string;
  /** Task-definition family, `esr-<template>-<contentHash>`: one family per content. */
  family: string;
  contentHash: string;
  accessPointId: string | undefined;
  env: Record<string, string>;
  tags: Record<string, string>;
}

interface Base {
  /** The work-queue key this action belongs to (session id, or `orphan:<arn>`). */
  key: string;
  drift: DriftKind;
  /** Human-readable why, for logs and events. */
  message: string;
}

export interface WriteStatusAction extends Base {
  type: 'writeStatus';
  sessionId: string;
  status: SessionStatus;
  /** The spec generation the status was computed from: the store refuses it once the spec moved on. */
  generation?: number;
  /** The spec's life (uid) it was computed for: the store refuses it on another life's record. */
  uid?: string;
  /**
   * Set when this write expires the session (phase Expired): it passes the safety gate for
   * expiries first (brakes), and the store refuses it when a touch later than `activityAtMost`
   * arrived (renewed: the session lives on).
   */
  expiry?: { reason: ExpiryReason; activityAtMost: number };
}

/** Write `intentStatus` (with launchIntent) first, then RunTask with its clientToken. */
export interface LaunchAction extends Base {
  type: 'launch';
  sessionId: string;
  incarnation: number;
  clientToken: string;
  spec: LaunchSpec;
  intentStatus: SessionStatus;
  /** The spec generation the intent was computed from (see WriteStatusAction.generation). */
  generation?: number;
  /** The spec's life (see WriteStatusAction.uid). */
  uid?: string;
}

export interface StopTaskAction extends Base {
  type: 'stopTask';
  sessionId: string | undefined;
  taskArn: string;
  /** StopTask `reason` (shown in ECS as stoppedReason). */
  stopReason: string;
  /**
   * What the plan assumed, checked again at the action (the cache may be older than the store):
   * `noDesiredRecord`: the session has no record (an orphan), re-read from the store right before the stop;
   * `unclaimed`: an idle warm task no session has claimed, reserved atomically in Redis before the stop.
   */
  precondition?: 'noDesiredRecord' | 'unclaimed';
}

export interface EnsureAccessPointAction extends Base {
  type: 'ensureAccessPoint';
  sessionId: string;
  userId: string;
}

export interface EnsureTaskDefinitionAction extends Base {
  type: 'ensureTaskDefinition';
  sessionId: string | undefined;
  spec: LaunchSpec;
}

export interface PurgeSessionAction extends Base {
  type: 'purgeSession';
  sessionId: string;
  generation: number;
}

/** Record the batch intent (pool status), then RunTask(count) with its clientToken. */
export interface LaunchWarmBatchAction extends Base {
  type: 'launchWarmBatch';
  pool: string;
  batch: number;
  count: number;
  clientToken: string;
  spec: LaunchSpec;
  requestedAt: number;
  /**
   * Set when the batch is for sessions waiting now (on-demand warm tasks): its place in the
   * rate-limit lines is theirs (the oldest waiting session's request), not the pool's.
   */
  forSessions?: { requestedAt: number; seq: number };
}

/** Atomically hand one of `candidates` to the session (Redis), then tag it in ECS. */
export interface ClaimWarmAction extends Base {
  type: 'claimWarm';
  sessionId: string;
  pool: string;
  incarnation: number;
  candidates: Array<{ taskArn: string; status: SessionStatus }>;
}

/** Tag a claimed warm task for its session (completes a claim). */
export interface TagTaskAction extends Base {
  type: 'tagTask';
  sessionId: string;
  taskArn: string;
  tags: Record<string, string>;
}

export interface ReleaseClaimAction extends Base {
  type: 'releaseClaim';
  taskArn: string;
}

export type Action =
  | LaunchWarmBatchAction
  | ClaimWarmAction
  | TagTaskAction
  | ReleaseClaimAction
  | WriteStatusAction
  | LaunchAction
  | StopTaskAction
  | EnsureAccessPointAction
  | EnsureTaskDefinitionAction
  | PurgeSessionAction;

export type ActionType = Action['type'];
export const ACTION_TYPES: ActionType[] = ['writeStatus', 'launch', 'stopTask', 'ensureAccessPoint', 'ensureTaskDefinition', 'purgeSession', 'launchWarmBatch', 'claimWarm', 'tagTask', 'releaseClaim'];

/** Actions that only prepare a launch: after they succeed the key is planned again at once. */
export function isPrerequisite(action: Action): boolean {
  return action.type === 'ensureAccessPoint' || action.type === 'ensureTaskDefinition' || action.type === 'launchWarmBatch';
}
