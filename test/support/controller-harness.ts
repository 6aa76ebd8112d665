/**
 * Builds a Controller around any AwsApi and desired store, for unit tests (the in-process
 * simulator + memory store on a VirtualClock) and integration tests (SDK over HTTP + Redis on the real clock).
 */
import type { Clock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import { Controller, type ControllerOptions } from '../../src/controller/controller.js';
import type { GuardedCall } from '../../src/controller/execute/context.js';
import type { DesiredStore, StatusWriter } from '../../src/desired/types.js';
import type { WarmStore } from '../../src/desired/warm-schema.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import type { PlanConfig } from '../../src/controller/plan/plan-config.js';
import { aPlanConfig, OWNER } from '../fixtures/builders.js';

/** No limits, no breaker: each call gets a fresh signal. For tests of the loop's logic. */
export const passthroughCall: GuardedCall = (_req, fn) => fn(new AbortController().signal);

export function buildController(args: {
  aws: AwsApi;
  store: DesiredStore & StatusWriter & WarmStore;
  clock: Clock;
  seed?: number;
  call?: GuardedCall;
  overrides?: Partial<ControllerOptions>;
  efsFileSystemId?: string | undefined;
  /** Replaces the fixture's templates (plan and executor config alike). */
  templates?: PlanConfig['templates'];
}): Controller {
  const planConfig = aPlanConfig({ efsFileSystemId: args.efsFileSystemId, ...(args.templates ? { templates: args.templates } : {}) });
  return new Controller({
    aws: args.aws,
    readApi: args.aws,
    status: args.store,
    desired: args.store,
    fencingToken: () => 1,
    call: args.call ?? passthroughCall,
    clock: args.clock,
    rng: new SeededRng(args.seed ?? 1),
    config: { cluster: 'test', startedBy: 'esr-reconciler', ownerId: OWNER, efsFileSystemId: planConfig.efsFileSystemId, templates: planConfig.templates },
    planConfig,
    resyncMs: 30_000,
    inflightRefreshMs: 1_000,
    workers: 4,
    ...args.overrides,
  });
}
