/**
 * The theoretical minimum time to launch a burst of tasks under ECS limits (Fargate-like, as
 * the simulator enforces them), from token-bucket arithmetic alone. Times in seconds.
 *
 *   launches  L = sessions + poolTarget               (every session and warm task is one task)
 *   RunTask calls C = sessions + ceil(poolTarget / 10)  (cold sessions: count 1 each, as each
 *                                                     needs its own tags and clientToken;
 *                                                     the pool in batches of RunTask count <= 10)
 *   launch bucket:  max(0, L - launchBurst) / launchRate
 *   RunTask bucket: max(0, C - runTaskBurst) / runTaskRate
 *   minimum = max(launch bucket, RunTask bucket) + task start time
 *
 * The start time is the simulator profile's mean of PROVISIONING + PENDING + ACTIVATING (the
 * last task launched still has to start). With 1,000 sessions, a pool of 200 and Fargate limits
 * (launch burst 100 refill 20/s; RunTask burst 20, 20 calls/s): launches (1200-100)/20 = 55 s,
 * calls (1020-20)/20 = 50 s, so 55 s + 3.6 s = 58.6 s.
 */
import type { TimingProfile } from '../../src/sim/profiles.js';
import type { ThrottleLimits } from '../../src/sim/throttle.js';
import { RUN_TASK_MAX_COUNT } from '../../src/observed/aws-api.js';

export interface MinimumTime {
  launches: number;
  runTaskCalls: number;
  launchBoundS: number;
  callBoundS: number;
  startS: number;
  totalS: number;
}

const mid = (r: { min: number; max: number }): number => (r.min + r.max) / 2;

/** Mean time from RunTask to RUNNING under `profile`, in seconds. */
export function meanStartSeconds(profile: TimingProfile): number {
  return (mid(profile.provisioningMs) + mid(profile.pendingMs) + mid(profile.activatingMs)) / 1000;
}

export function theoreticalMinimum(sessions: number, poolTarget: number, limits: ThrottleLimits, profile: TimingProfile): MinimumTime {
  const launches = sessions + poolTarget;
  const runTaskCalls = sessions + Math.ceil(poolTarget / RUN_TASK_MAX_COUNT);
  const rt = limits.actions.RunTask ?? limits.defaultAction;
  const launchBoundS = Math.max(0, launches - limits.taskLaunch.burst) / limits.taskLaunch.refillPerSec;
  const callBoundS = Math.max(0, runTaskCalls - rt.burst) / rt.refillPerSec;
  const startS = meanStartSeconds(profile);
  return { launches, runTaskCalls, launchBoundS, callBoundS, startS, totalS: Math.max(launchBoundS, callBoundS) + startS };
}

/**
 * The best waits a burst of `sessions` can have under `limits` when sessions go first and tasks
 * of identical content share RunTask calls (count <= 10): session i (1-based) can be RUNNING at
 *
 *   t_i = max(0, (i - launchBurst) / launchRate, (ceil(i / 10) - runTaskBurst) / runTaskRate) + start
 *
 * (the i-th task needs i launch tokens and ceil(i/10) calls). `perCall`: the same with one
 * call per session (ceil(i/10) becomes i), the bound of a controller that never batches sessions.
 * Returns every session's wait in seconds, in order.
 */
export function optimalWaits(sessions: number, limits: ThrottleLimits, profile: TimingProfile, opts: { perCall?: boolean } = {}): number[] {
  const rt = limits.actions.RunTask ?? limits.defaultAction;
  const { burst, refillPerSec } = limits.taskLaunch;
  const startS = meanStartSeconds(profile);
  const waits: number[] = [];
  for (let i = 1; i <= sessions; i++) {
    const calls = opts.perCall ? i : Math.ceil(i / RUN_TASK_MAX_COUNT);
    waits.push(Math.max(0, (i - burst) / refillPerSec, (calls - rt.burst) / rt.refillPerSec) + startS);
  }
  return waits;
}
