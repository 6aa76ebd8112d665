/**
 * Decorators around the narrow AwsApi (karpenter style): every call of the wrapped API goes
 * through a GuardedCall (rate limits, breaker, timeout, classification), so reads made by the
 * snapshot and the in-flight refresher obey the same limits as the executors' mutations.
 */
import type { AwsApi, EcsApi, EfsApi, RunTaskInput } from '../observed/aws-api.js';
import { fargateLaunchTokens } from './fargate-launch.js';
import type { AwsCallGuard, RateLimiterRegistry } from './resilience/index.js';
import type { GuardedCall, GuardedCallRequest } from './execute/context.js';
import type { Parking } from './queue/parking.js';
import { poolKey } from './plan/plan-pool.js';

const POOL_KEY_PREFIX = poolKey('');

/**
 * Fargate task launches are drawn from this bucket, once per task (RunTask `count`); launches on
 * EC2 do not draw it (fargate-launch.ts). Callers say how many in GuardedCallRequest.launches.
 */
export const LAUNCH_BUCKET = 'fargate:TaskLaunch';

/**
 * Adapts the AwsCallGuard to the executors' GuardedCall port. With `parking`, a call that will
 * have to wait for rate-limit tokens parks its worker for the duration (see queue/parking.ts).
 */
export function guardedCallFrom(
  guard: AwsCallGuard,
  budgets: { defaultMs: number; byOperation?: Readonly<Record<string, number>> },
  parkWhenLimited?: { parking: Parking; limits: RateLimiterRegistry },
): GuardedCall {
  const willWait = (req: GuardedCallRequest): boolean => {
    if (!parkWhenLimited) return false;
    const wants: Array<[string, number]> = [[`${req.service}:${req.operation}`, 1], ...(req.launches ? [[LAUNCH_BUCKET, req.launches] as [string, number]] : [])];
    return wants.some(([op, n]) => {
      const b = parkWhenLimited.limits.bucket(op);
      return b.waiting() > 0 || b.available() < n;
    });
  };
  return async (req, fn) => {
    const unpark = willWait(req) ? parkWhenLimited!.parking.park() : undefined;
    try {
      return await run(req, fn);
    } finally {
      unpark?.();
    }
  };

  function run<T>(req: GuardedCallRequest, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return guard.run({
      service: req.service,
      operation: req.operation,
      ...(req.key ? { key: req.key } : {}),
      requestClass: req.requestClass ?? (req.key?.startsWith(POOL_KEY_PREFIX) ? 'pool' : 'session'),
      ...(req.requestedAt !== undefined ? { requestedAt: req.requestedAt } : {}),
      ...(req.requestSeq !== undefined ? { requestSeq: req.requestSeq } : {}),
      ...(req.launches ? { extraTokens: { [LAUNCH_BUCKET]: req.launches } } : {}),
      budgetMs: budgets.byOperation?.[req.operation] ?? budgets.defaultMs,
      call: fn,
    });
  }
}

type Method<T> = (input: never, opts?: { signal?: AbortSignal }) => Promise<T>;

/** The methods of each narrow interface (listed, since implementations may be class instances). */
const ECS_METHODS = ['listTasks', 'describeTasks', 'runTask', 'stopTask', 'tagResource', 'registerTaskDefinition', 'describeTaskDefinition', 'listTaskDefinitions'] as const satisfies ReadonlyArray<keyof EcsApi>;
const EFS_METHODS = ['createAccessPoint', 'describeAccessPoints', 'deleteAccessPoint'] as const satisfies ReadonlyArray<keyof EfsApi>;

function wrap<S extends object>(service: 'ecs' | 'efs', target: S, methods: ReadonlyArray<keyof S & string>, call: GuardedCall, operationOf: (method: string) => string): S {
  const out: Record<string, unknown> = {};
  for (const name of methods) {
    const fn = target[name] as unknown as Method<unknown>;
    if (typeof fn !== 'function') continue;
    out[name] = (input: never, opts?: { signal?: AbortSignal }) =>
      call({ service, operation: operationOf(name), ...(name === 'runTask' ? { launches: fargateLaunchTokens(input as RunTaskInput) } : {}) }, (signal) => {
        const merged = opts?.signal ? AbortSignal.any([signal, opts.signal]) : signal;
        return fn.call(target, input, { signal: merged });
      });
  }
  return out as S;
}

/** `describeTasks` -> `DescribeTasks`. */
export function operationName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

export function guardedAwsApi(api: AwsApi, call: GuardedCall): AwsApi {
  return {
    ecs: wrap<EcsApi>('ecs', api.ecs, ECS_METHODS, call, operationName),
    efs: wrap<EfsApi>('efs', api.efs, EFS_METHODS, call, operationName),
  };
}
