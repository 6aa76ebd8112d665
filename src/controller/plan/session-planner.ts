/** The accumulator a session plan is built in: actions, requeue, and the write-if-changed rule. */
import type { SessionStatus } from '../../desired/schema.js';
import type { ObservedTask } from '../../observed/model.js';
import type { Action, StopTaskAction, WriteStatusAction } from './actions.js';
import type { DriftKind } from './drift.js';
import type { PlanConfig } from './plan-config.js';
import type { SessionPlan, SessionPlanInput } from './plan-session.js';
import { sameStatus } from './status.js';

export class SessionPlanner {
  readonly actions: Action[] = [];
  requeueAfterMs: number | undefined;
  /**
   * When the session ends unless touched (lifetime.ts), stamped on every status this plan writes
   * while the session lives; undefined: no bound (or Expired, whose status keeps its own).
   */
  expiresAt: number | undefined;

  constructor(
    readonly input: SessionPlanInput,
    readonly now: number,
    readonly cfg: PlanConfig,
  ) {}

  get id(): string {
    return this.input.id;
  }

  stop(task: ObservedTask, drift: DriftKind, message: string, precondition?: StopTaskAction['precondition']): void {
    const action: StopTaskAction = { type: 'stopTask', key: this.id, sessionId: this.id, taskArn: task.arn, drift, message, stopReason: `esr ${drift}: ${message}`.slice(0, 255), ...(precondition ? { precondition } : {}) };
    this.actions.push(action);
  }

  /** `next` with this plan's `expiresAt` (see above); Expired statuses keep theirs. */
  stamp(next: SessionStatus): SessionStatus {
    return next.phase === 'Expired' || next.expiresAt === this.expiresAt ? next : { ...next, expiresAt: this.expiresAt };
  }

  write(prev: SessionStatus | undefined, next: SessionStatus, drift: DriftKind, message: string, expiry?: WriteStatusAction['expiry']): void {
    const stamped = this.stamp(next);
    if (sameStatus(prev, stamped)) return;
    const generation = this.input.entry?.spec?.generation;
    const uid = this.input.entry?.spec?.uid;
    this.actions.push({ type: 'writeStatus', key: this.id, sessionId: this.id, status: { ...stamped, updatedAt: this.now }, drift, message, ...(generation !== undefined ? { generation } : {}), ...(uid ? { uid } : {}), ...(expiry ? { expiry } : {}) });
  }

  requeue(ms: number): void {
    const v = Math.max(0, Math.ceil(ms));
    this.requeueAfterMs = this.requeueAfterMs === undefined ? v : Math.min(this.requeueAfterMs, v);
  }

  result(): SessionPlan {
    return this.requeueAfterMs === undefined ? { key: this.id, actions: this.actions } : { key: this.id, actions: this.actions, requeueAfterMs: this.requeueAfterMs };
  }
}
