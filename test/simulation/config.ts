/**
 * The controller configuration every simulated run uses: production defaults where they exist
 * (rate limits, breakers, call budgets), shortened loop timings so a run covers many resyncs.
 * Durations in ms.
 */
import { aPlanConfig, OWNER } from '../fixtures/builders.js';
import type { PlanConfig } from '../../src/controller/plan/plan-config.js';
import type { SafetyConfig } from '../../src/controller/safety/safety-wiring.js';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { loadTimeoutsConfig } from '../../src/controller/resilience/index.js';
import { callBudgets } from '../../src/app/daemon.js';

export const SIM_OWNER = OWNER;
export const SIM_CLUSTER = 'test';
export const SIM_STARTED_BY = 'esr-reconciler';
export const SIM_FILE_SYSTEM = 'fs-12345678';
export const SIM_POOL = 'warm';

export const SIM_TIMINGS = {
  resyncMs: 10_000,
  inflightRefreshMs: 1_000,
  workers: 4,
  /** Leader lease: a frozen leader's own view of its lease ends this long after it froze. */
  leaseMs: 15_000,
  /** A thawed old leader notices it lost the lease within this (the election's retry period). */
  noticeLossMs: 2_000,
  /** A controller that fails to start is restarted (a new process) after this. */
  restartAfterMs: 5_000,
  breakerThreshold: 5,
  breakerCooldownMs: 10_000,
} as const;

/** The template's own variables are part of what a session runs (the content oracle checks them). */
const shell = { ...aPlanConfig().templates['shell']!, environment: { SESSION_EGRESS: 'deny' } };

export const SIM_PLAN: PlanConfig = aPlanConfig({
  templates: { shell, spot: { ...shell, capacityProvider: 'FARGATE_SPOT' } },
  pools: { [SIM_POOL]: { template: 'shell', maxSize: 20 } },
  efsFileSystemId: SIM_FILE_SYSTEM,
  orphanGraceMs: 20_000,
  startDeadlineMs: 60_000,
});

/** Per-call budgets as the daemon derives them from the default timeouts. */
export function simBudgets(): { defaultMs: number; byOperation: Record<string, number> } {
  return callBudgets(loadTimeoutsConfig(), SIM_EVENTS.waitSeconds);
}

/** The safety parts' settings: `reconciler run`'s defaults (env-vars.ts), with the sim's resync. */
export function simSafetyConfig(): SafetyConfig {
  return {
    brakeDropFraction: ENV_VARS.brakeDropFraction.schema.parse(undefined),
    brakeMinDrop: ENV_VARS.brakeMinDrop.schema.parse(undefined),
    brakeExpiryFraction: ENV_VARS.brakeExpiryFraction.schema.parse(undefined),
    stopsPerMinute: ENV_VARS.stopsPerMinute.schema.parse(undefined),
    resyncSeconds: SIM_TIMINGS.resyncMs / 1000,
  };
}

/**
 * With events on (`--events`): how the controller polls, and how badly EventBridge -> SQS
 * delivers for the whole run (quiet period included: events are never owed): late, duplicated,
 * reordered and one in five lost.
 */
export const SIM_EVENTS = {
  waitSeconds: 20,
  visibilityTimeoutSeconds: 30,
  delivery: {
    delayMs: { min: 200, max: 5_000 },
    duplicateRate: 0.2,
    reorderRate: 0.2,
    reorderDelayMs: { min: 2_000, max: 20_000 },
    lossRate: 0.2,
  },
} as const;
