/** The warm path of a session plan (see warmClaim). */
import type { SessionEntry } from '../../desired/types.js';
import type { SessionStatus } from '../../desired/schema.js';
import type { SessionPlan } from './plan-session.js';
import { CLAIM_CANDIDATES } from './plan-session.js';
import type { SessionPlanner } from './session-planner.js';
import { removeCondition, setConditions, type ConditionInput } from './status.js';

/**
 * The fast path: hand the session an idle RUNNING warm task. Warm tasks are generic (no user
 * access point), so `persistence: required` sessions always take the cold path, and
 * `preferred` ones run without persistence and say so in the Persistence condition.
 */
export function warmClaim(
  p: SessionPlanner,
  a: { cur: SessionStatus; spec: NonNullable<SessionEntry['spec']>; port: number; incarnation: number; attempts: number },
): SessionPlan | undefined {
  const warm = p.input.warm?.();
  if (!warm || a.spec.persistence === 'required') return undefined;
  const candidates = warm.candidates.filter((t) => t.privateIp !== undefined).slice(0, CLAIM_CANDIDATES);
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
      status: {
        ...a.cur,
        phase: 'Running',
        observedGeneration: a.spec.generation,
        taskArn: t.arn,
        endpoint: { ip: t.privateIp!, port: a.port },
        incarnation: a.incarnation,
        launchIntent: undefined,
        queuePosition: undefined,
        retryAfter: undefined,
        startedAt: now,
        warm: true,
        attempts: a.attempts,
        conditions: setConditions(base, [{ type: 'Ready', status: 'True', reason: 'WarmTaskClaimed', message: `warm task RUNNING at ${t.privateIp}:${a.port}` }, persistence], now),
        updatedAt: now,
      },
    })),
  });
  return p.result();
}

