/**
 * Records of the warm pool that the controller owns: claims (which session a warm task was
 * handed to) and per-pool status (the batch launch intent recorded before RunTask).
 * Timestamps are epoch milliseconds.
 */
import { z } from 'zod';
import { SCHEMA_VERSION, SessionIdSchema, PoolNameSchema } from './schema.js';

/** A warm task handed to a session. Written once per task (HSETNX): a task goes to exactly one session. */
export const WarmClaimSchema = z.strictObject({
  sessionId: SessionIdSchema,
  pool: PoolNameSchema,
  /** The session incarnation the task serves; written to the task's tags when the claim completes. */
  incarnation: z.number().int().positive(),
  at: z.number().int().nonnegative(),
});
export type WarmClaim = z.infer<typeof WarmClaimSchema>;

/**
 * A batch launch intent: recorded before RunTask(count) so a restarted controller re-sends the
 * same clientToken (ECS returns the same tasks) instead of launching a second batch.
 */
export const BatchIntentSchema = z.strictObject({
  batch: z.number().int().positive(),
  clientToken: z.string().min(1).max(64),
  count: z.number().int().min(1).max(10),
  requestedAt: z.number().int().nonnegative(),
});
export type BatchIntent = z.infer<typeof BatchIntentSchema>;

/**
 * A pool that cannot start tasks: its warm tasks stopped before RUNNING (e.g. `TaskFailedToStart`)
 * or its batches started none, `consecutive` times in a row. Absent while starts succeed.
 */
export const PoolStartFailuresSchema = z.strictObject({
  consecutive: z.number().int().positive(),
  /** The last failure's stop code (or RunTask failure reason) and message. */
  reason: z.string().max(256),
  message: z.string().max(2048),
  /** When the last failure was seen, epoch ms. */
  at: z.number().int().nonnegative(),
  /** The pool's breaker: `open` = no batch is launched until `retryAfter`, then one probe batch. */
  breaker: z.enum(['closed', 'open', 'halfOpen']),
  retryAfter: z.number().int().nonnegative().optional(),
});
export type PoolStartFailures = z.infer<typeof PoolStartFailuresSchema>;

export const WarmPoolStatusSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  /** Last batch number used; each new batch intent takes the next one. */
  batch: z.number().int().nonnegative(),
  intent: BatchIntentSchema.optional(),
  startFailures: PoolStartFailuresSchema.optional(),
  updatedAt: z.number().int().nonnegative(),
});
export type WarmPoolStatus = z.infer<typeof WarmPoolStatusSchema>;

/** How long a stop reservation keeps a warm task from being claimed, ms (a StopTask takes far less). */
export const RESERVATION_TTL_MS = 60_000;

/** One candidate for a claim: the task and the session status to write if it is the one taken. */
export interface ClaimCandidate {
  taskArn: string;
  status: import('./schema.js').SessionStatus;
}

export type ClaimResult =
  | { outcome: 'claimed'; taskArn: string }
  /** Every candidate was already claimed by someone else. */
  | { outcome: 'taken' }
  /** The session has no spec record any more. */
  | { outcome: 'session-gone' };

/** The controller's warm-pool records. Every write is fenced like status writes. */
export interface WarmStore {
  /**
   * Atomically: takes the first candidate no session has claimed, records the claim, and writes
   * and publishes that candidate's session status (Running, endpoint, warm: true).
   */
  claimWarmTask(sessionId: string, claim: Omit<WarmClaim, 'sessionId'>, candidates: readonly ClaimCandidate[], fencingToken: number): Promise<ClaimResult>;
  /**
   * The precondition of a warm-task stop, checked where it happens: atomically, refuses
   * (`claimed`) when a session has claimed the task, else reserves it so no claim can take it
   * while the StopTask is on its way. A reservation lapses after RESERVATION_TTL_MS (a
   * controller that died after reserving leaves nothing behind for long). `at`: epoch ms.
   */
  reserveForStop(taskArn: string, at: number, fencingToken: number): Promise<'reserved' | 'claimed'>;
  /** Drops the claim of a task that is gone (stopped, vanished). */
  releaseWarmClaim(taskArn: string, fencingToken: number): Promise<void>;
  /** Every claim, by task ARN. Unreadable entries are skipped (and reported through the invalid-record hook). */
  warmClaims(): Promise<Map<string, WarmClaim>>;
  readPoolStatus(name: string): Promise<WarmPoolStatus | undefined>;
  writePoolStatus(name: string, status: WarmPoolStatus, fencingToken: number): Promise<void>;
}
