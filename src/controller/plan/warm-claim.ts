/** The warm path of a session plan (see warmClaim). */
import type { SessionEntry } from '../../desired/types.js';
import type { SessionStatus } from '../../desired/schema.js';
import type { ObservedTask } from '../../observed/model.js';
import type { SessionPlan } from './plan-session.js';
import { CLAIM_CANDIDATES } from './plan-session.js';
import type { SessionPlanner } from './session-planner.js';
import { removeCondition, setConditions, type ConditionInput } from './status.js';

/**
 * The fast path: hand the session an idle RUNNING warm task that runs the session's content
 * (launch fingerprint, launch-spec.ts): a warm task mounts no access point and carries no
 * gateway env, so only sessions with persistence `none` or `preferred` and an empty `env` can
 * take one; the others take the cold path. The claim does not make the session Ready: the
 * status says `Starting` (Ready False, `WarmTaskClaimed`) until ECS tags the task with the
 * session's identity (`tagTask`), so the gateway never connects to a task that does not know
 * whom it serves yet. A `preferred` session served warm runs without persistence and says so.
 */
export function warmClaim(
  p: SessionPlanner,
  a: { cur: SessionStatus; spec: NonNullable<SessionEntry['spec']>; judge: (t: ObservedTask) => 'yes' | 'no' | 'unknown'; incarnation: number; attempts: number },
): SessionPlan | undefined {
  const warm = p.input.warm?.();
  if (!warm) return undefined;
  const candidates: ObservedTask[] = [];
  for (const t of warm.candidates) {
    if (t.privateIp === undefined || a.judge(t) !== 'yes') continue;
    candidates.push(t);
    if (candidates.length >= CLAIM_CANDIDATES) break;
  }
  if (candidates.length === 0) return undefined;
  const { now } = p;
  const persistence: ConditionInput =
    a.spec.persistence === 'none'
      ? { type: 'Persistence', status: 'False', reason: 'NotRequested', message: 'persistence: none' }
      : { type: 'Persistence', status: 'False', reason: 'WarmTaskNoPersistence', message: 'served from the warm pool: warm tasks are generic and mount no user access point (persistence: preferred)' };
  const base = removeCondition(removeCondition(a.cur.conditions, 'Degraded'), 'Queued');
  p.actions.push({
    type: 'claimWarm',
    key: p.id,
    sessionId: p.id,
    pool: warm.pool,
    incarnation: a.incarnation,
    drift: 'WarmClaim',
    message: `taking a warm task from pool ${warm.pool}`,
    candidates: candidates.map((t) => ({
      taskArn: t.arn,
      status: p.stamp({
        ...a.cur,
        phase: 'Starting',
        observedGeneration: a.spec.generation,
        targetGeneration: undefined,
        taskArn: t.arn,
        endpoint: undefined,
        incarnation: a.incarnation,
        launchIntent: undefined,
        queuePosition: undefined,
        retryAfter: undefined,
        startedAt: now,
        warm: true,
        attempts: a.attempts,
        conditions: setConditions(base, [{ type: 'Ready', status: 'False', reason: 'WarmTaskClaimed', message: `warm task ${t.arn} claimed; tagging it for the session` }, persistence], now),
        updatedAt: now,
      }),
    })),
  });
  return p.result();
}
