/** The part of the configuration the pure plan reads. Durations in milliseconds. */
import type { PoolConfig, TaskTemplates } from '../../config/templates.js';
import type { LifetimeLimits } from './lifetime.js';

export interface PlanConfig {
  ownerId: string;
  templates: TaskTemplates;
  pools: Record<string, PoolConfig>;
  /** Unset: persistence is unavailable. */
  efsFileSystemId: string | undefined;
  /** A task of ours with no desired session is stopped only when older than this. */
  orphanGraceMs: number;
  /** A task not RUNNING this long after creation is stuck. */
  startDeadlineMs: number;
  /** Launch attempts per spec generation before Failed. */
  maxStartAttempts: number;
  /** Failed start attempts are forgotten once a task of the session has run this long. */
  startHealthyMs: number;
  /** Backoff between failed start attempts: full jitter below min(cap, base * 2^(attempts-1)). */
  retryBaseMs: number;
  retryCapMs: number;
  /** How long to wait before re-checking a session blocked on EFS. */
  blockedRecheckMs: number;
  /** Lifetime defaults and upper bounds (absent: no defaults and no upper bounds, all 0). */
  lifetime?: LifetimeLimits;
}

export const DEFAULT_PLAN_TIMINGS = {
  orphanGraceMs: 60_000,
  startDeadlineMs: 180_000,
  maxStartAttempts: 3,
  startHealthyMs: 600_000,
  retryBaseMs: 2_000,
  retryCapMs: 60_000,
  blockedRecheckMs: 15_000,
} as const;
