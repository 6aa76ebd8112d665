/**
 * `plan(desired, observed, now, config) -> Action[]`: the whole reconcile decision as a pure
 * function. The daemon plans one key at a time (planKey) from its caches; `reconciler plan`
 * plans every key from live state. Both call the same per-session planner.
 */
import type { DesiredSnapshot, SessionEntry } from '../../desired/types.js';
import type { ObservedSnapshot } from '../../observed/model.js';
import type { Action } from './actions.js';
import type { PlanConfig } from './plan-config.js';
import { planSession, type SessionPlan } from './plan-session.js';
import { indexTasks, type TaskIndex } from './task-index.js';

export interface PlanInputs {
  desired: Pick<DesiredSnapshot, 'sessions'>;
  observed: ObservedSnapshot;
  /** Task-definition families known to exist. */
  knownFamilies: { has(family: string): boolean };
}

/** Every key that needs a look: sessions with a record, and sessions ECS shows tasks for. */
export function planKeys(desired: Pick<DesiredSnapshot, 'sessions'>, index: TaskIndex): string[] {
  const keys = new Set<string>(desired.sessions.keys());
  for (const id of index.bySession.keys()) keys.add(id);
  return [...keys].sort();
}

export function planSessionKey(
  id: string,
  entry: SessionEntry | undefined,
  index: TaskIndex,
  inputs: Omit<PlanInputs, 'desired'>,
  now: number,
  config: PlanConfig,
): SessionPlan {
  return planSession(
    {
      id,
      entry,
      tasks: index.bySession.get(id) ?? [],
      accessPoints: inputs.observed.accessPoints.values(),
      accessPointsKnown: inputs.observed.accessPointsKnown,
      knownFamilies: inputs.knownFamilies,
    },
    now,
    config,
  );
}

/** Plans every key. Returns per-key plans (keys with nothing to do are omitted). */
export function planAll(inputs: PlanInputs, now: number, config: PlanConfig): SessionPlan[] {
  const index = indexTasks(inputs.observed.tasks.values(), config.ownerId);
  const out: SessionPlan[] = [];
  for (const id of planKeys(inputs.desired, index)) {
    const p = planSessionKey(id, inputs.desired.sessions.get(id), index, inputs, now, config);
    if (p.actions.length > 0) out.push(p);
  }
  return out;
}

/** The flat action list (the function named in the design). */
export function plan(inputs: PlanInputs, now: number, config: PlanConfig): Action[] {
  return planAll(inputs, now, config).flatMap((p) => p.actions);
}
