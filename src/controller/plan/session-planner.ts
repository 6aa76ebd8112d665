/** The accumulator a session plan is built in: actions, requeue, and the write-if-changed rule. */
import type { SessionStatus } from '../../desired/schema.js';
import type { ObservedTask } from '../../observed/model.js';
import type { Action, StopTaskAction } from './actions.js';
import type { DriftKind } from './drift.js';
import type { PlanConfig } from './plan-config.js';
import type { SessionPlan, SessionPlanInput } from './plan-session.js';
import { sameStatus } from './status.js';

export class SessionPlanner {
  readonly actions: Action[] = [];
  requeueAfterMs: number | undefined;

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

  write(prev: SessionStatus | undefined, next: SessionStatus, drift: DriftKind, message: string): void {
    if (sameStatus(prev, next)) return;
    const generation = this.input.entry?.spec?.generation;
    this.actions.push({ type: 'writeStatus', key: this.id, sessionId: this.id, status: { ...next, updatedAt: this.now }, drift, message, ...(generation !== undefined ? { generation } : {}) });
  }

  requeue(ms: number): void {
    const v = Math.max(0, Math.ceil(ms));
    this.requeueAfterMs = this.requeueAfterMs === undefined ? v : Math.min(this.requeueAfterMs, v);
  }

  result(): SessionPlan {
    return this.requeueAfterMs === undefined ? { key: this.id, actions: this.actions } : { key: this.id, actions: this.actions, requeueAfterMs: this.requeueAfterMs };
  }
}
