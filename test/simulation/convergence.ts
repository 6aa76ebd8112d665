/**
 * What "converged" means at quiescence (invariants 1, 3 and 4 over the final state), read from
 * the outside: the simulator's tasks and the store's records, never the controller's memory.
 */
import type { SimTaskSummary } from '../../src/sim/core.js';
import { short } from './aws-observer.js';
import { SIM_PLAN, SIM_POOL } from './config.js';
import { isLiveTask, isOurs, isRunningTask } from './invariants.js';
import type { World } from './world.js';
import { isExpired } from '../../src/desired/records.js';

export interface Problem {
  invariant: 1 | 3 | 4 | 5;
  message: string;
}

export async function convergenceProblems(world: World): Promise<Problem[]> {
  const tasks = world.core.dump().tasks;
  const problems: Problem[] = [];
  const liveOf = new Map<string, SimTaskSummary[]>();
  for (const t of tasks) {
    const session = t.tags['esr:session'];
    if (!isOurs(t) || !isLiveTask(t) || !session) continue;
    liveOf.set(session, [...(liveOf.get(session) ?? []), t]);
  }
  const wanted = new Set(world.gateway.liveIds());
  const servedBy = new Map<string, string>();
  for (const id of wanted) {
    const live = liveOf.get(id) ?? [];
    if (live.length > 1) problems.push({ invariant: 1, message: `session ${id} has ${live.length} live tasks (${live.map((t) => short(t.taskArn)).join(', ')})` });
    const entry = await world.store.inner.readSession(id);
    const st = entry?.status;
    if (!entry?.spec || entry.spec.deleted) {
      problems.push({ invariant: 3, message: `session ${id} is wanted by the gateway but the store has ${entry?.spec ? 'a tombstone' : 'no spec'}` });
      continue;
    }
    if (world.gateway.mustEnd(id)) {
      // Its user walked away, or it has a maximum lifetime: the end state is Expired, no task.
      if (!isExpired(entry.spec, st)) problems.push({ invariant: 3, message: `session ${id} should have expired (lifetime ${JSON.stringify(entry.spec.lifetime ?? {})}, no touches or a maximum lifetime) but is ${st?.phase ?? 'without status'}` });
      // A stop an engaged brake holds is still to come (the brake lets go when desired state is
      // back, or the operator releases it in the quiet period): not converged until it is done.
      else if (live.length > 0) problems.push({ invariant: 3, message: `session ${id} is Expired but still has ${live.length} live task(s): ${live.map((t) => short(t.taskArn)).join(', ')}` });
      continue;
    }
    if (!st || st.phase !== 'Running') {
      problems.push({ invariant: 3, message: `session ${id} is ${st?.phase ?? 'without status'}${st?.lastError ? ` (${st.lastError.reason}: ${st.lastError.message.slice(0, 120)})` : ''}` });
      continue;
    }
    if (st.observedGeneration !== entry.spec.generation) problems.push({ invariant: 3, message: `session ${id} Running at observedGeneration ${st.observedGeneration}, spec is at ${entry.spec.generation}` });
    const task = tasks.find((t) => t.taskArn === st.taskArn);
    if (!task || !isRunningTask(task) || !isOurs(task) || task.tags['esr:session'] !== id) {
      problems.push({ invariant: 3, message: `session ${id} says Running on ${st.taskArn ? short(st.taskArn) : 'no task'}, but ECS shows ${task ? `${task.lastStatus}/${task.desiredStatus} for ${task.tags['esr:session'] ?? '-'}` : 'no such task'}` });
      continue;
    }
    const other = servedBy.get(task.taskArn);
    if (other !== undefined) problems.push({ invariant: 5, message: `sessions ${other} and ${id} are both Running on task ${short(task.taskArn)} (a warm task claimed twice?)` });
    servedBy.set(task.taskArn, id);
    const port = SIM_PLAN.templates[entry.spec.template]?.port;
    if (st.endpoint?.ip !== task.privateIp || st.endpoint.port !== port) {
      problems.push({ invariant: 3, message: `session ${id} endpoint ${JSON.stringify(st.endpoint)} but its task is at ${task.privateIp}:${port}` });
    }
  }
  for (const [id, live] of liveOf) {
    if (wanted.has(id)) continue;
    const deleted = world.gateway.intended.has(id);
    problems.push({
      invariant: deleted ? 3 : 4,
      message: `${deleted ? 'deleted session' : 'session nobody wants'} ${id} still has ${live.length} live task(s): ${live.map((t) => `${short(t.taskArn)} ${t.lastStatus}`).join(', ')}`,
    });
  }
  const target = world.gateway.poolTarget;
  if (target !== undefined) {
    const claims = await world.store.inner.warmClaims();
    const idle = tasks.filter((t) => isOurs(t) && isLiveTask(t) && t.tags['esr:role'] === 'warm' && t.tags['esr:pool'] === SIM_POOL && !t.tags['esr:session'] && !claims.has(t.taskArn));
    if (idle.length !== target) problems.push({ invariant: 5, message: `warm pool ${SIM_POOL} has ${idle.length} idle tasks, its target is ${target}` });
  }
  return problems.sort((a, b) => a.invariant - b.invariant);
}
