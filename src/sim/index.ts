/**
 * The ECS+EFS simulator: a core usable in-process (SimCore on any Clock/Rng), an HTTP server
 * speaking the AWS wire protocols, real SDK clients pointed at it, and the control surface.
 */
export { SimCore, type CallOptions, type SimCoreOptions, type SimStateDump, type SimTaskSummary } from './core.js';
export { startSimServer, type SimServer, type SimServerOptions } from './http-server.js';
export { simClients, simEnv, SIM_CREDENTIALS, SIM_REGION, type SimClients } from './sdk-clients.js';
export { SimError, isSimError, ecsError, efsError, type SimService } from './errors.js';
export { FaultInjector, parseFaultConfig, type FaultConfig, type FaultConfigInput, type OutageWindow } from './faults.js';
export { FARGATE_PROFILE, FAST_PROFILE, INSTANT_PROFILE, PROFILES, exactProfile, profileByName, type ExactPhases, type TimingProfile, type MsRange } from './profiles.js';
export { DEFAULT_LIMITS, UNLIMITED, Throttler, type ThrottleLimits } from './throttle.js';
export { TokenBucket, type BucketLimit } from './token-bucket.js';
export { ECS_OPERATIONS, EFS_OPERATIONS, MUTATING_OPERATIONS, type EcsOperation, type EfsOperation, type SimOperation } from './ops.js';
export type { SimInput, SimOutput, SimOpTypes } from './op-types.js';
export type { StatsSnapshot, OutcomeCounts, CallOutcome } from './stats.js';
export { CAPACITY_UNAVAILABLE } from './ecs-core.js';
export { DEFAULT_ACCOUNT, type SimAccount } from './arns.js';
