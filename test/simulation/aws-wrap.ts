/**
 * Decorating the narrow AwsApi from outside (karpenter style): one `around` hook sees every
 * call of every method, so the simulation can observe, gate, fault or mutate calls without a
 * seam in the controller.
 */
import type { AwsApi, CallOptions, EcsApi, EfsApi } from '../../src/observed/aws-api.js';

export type AwsService = 'ecs' | 'efs';

/** Runs one call: `invoke` performs it (with the input given, or the original one). */
export type Around = (call: { service: AwsService; method: string; input: unknown; opts: CallOptions | undefined }, invoke: (input?: unknown) => Promise<unknown>) => Promise<unknown>;

export const ECS_METHODS = ['listTasks', 'describeTasks', 'runTask', 'stopTask', 'tagResource', 'registerTaskDefinition', 'describeTaskDefinition', 'listTaskDefinitions'] as const satisfies ReadonlyArray<keyof EcsApi>;
export const EFS_METHODS = ['createAccessPoint', 'describeAccessPoints', 'deleteAccessPoint'] as const satisfies ReadonlyArray<keyof EfsApi>;

type AnyMethod = (input: unknown, opts?: CallOptions) => Promise<unknown>;

function wrapService<S extends object>(service: AwsService, target: S, methods: readonly string[], around: Around): S {
  const out: Record<string, AnyMethod> = {};
  for (const name of methods) {
    const fn = (target as Record<string, AnyMethod>)[name]!;
    out[name] = (input, opts) => around({ service, method: name, input, opts }, (changed) => fn.call(target, changed === undefined ? input : changed, opts));
  }
  return out as S;
}

export function wrapAwsApi(api: AwsApi, around: Around): AwsApi {
  return { ecs: wrapService<EcsApi>('ecs', api.ecs, ECS_METHODS, around), efs: wrapService<EfsApi>('efs', api.efs, EFS_METHODS, around) };
}
