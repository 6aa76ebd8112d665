/**
 * One session as a gateway handles it, for failover tests: write the spec (retrying, as the
 * client library's errors advise, until Redis acknowledges it or the gateway gives up), then wait
 * for it to be ready, and classify how the wait ended. A retry waits a full-jitter backoff
 * (the gateway's pacing, not test synchronisation).
 */
import { reconnectDelay } from '../../src/desired/redis-connection.js';
import type { SessionClient } from '../../src/desired/client.js';
import { isNotReplicatedError, isSessionNotFoundError, isWaitTimeoutError } from '../../src/desired/errors.js';

export type GatewayOutcome =
  /** No write was acknowledged before `ackDeadlineMs` (the gateway would report an error upstream). */
  | { kind: 'unacknowledged'; lastError: string }
  | { kind: 'running'; taskArn: string | undefined }
  /** The library told the gateway the session is gone (SessionNotFoundError: lost by the failover). */
  | { kind: 'lost'; reason: string }
  /** The wait ran into the caller's own timeout: the failure the library must prevent. */
  | { kind: 'timeout'; message: string }
  | { kind: 'error'; message: string };

export interface GatewaySessionResult {
  id: string;
  outcome: GatewayOutcome;
  /** Spec writes refused before the acknowledged one (NotReplicated / Redis unavailable), by error code. */
  refused: Record<string, number>;
  /** When the acknowledged write resolved (ms since the Unix epoch). */
  acknowledgedAt?: number;
}

export interface GatewaySessionOptions {
  /** Give up writing after this long, ms. */
  ackDeadlineMs: number;
  /** The caller's own bound on waitForReady, ms. */
  waitTimeoutMs: number;
  /** Called when the write is acknowledged (before the wait). */
  onAcknowledged?: () => void;
}

/** Writes session `id` through `client` until acknowledged, then waits for it to be ready. */
export async function gatewaySession(client: SessionClient, id: string, o: GatewaySessionOptions): Promise<GatewaySessionResult> {
  const refused: Record<string, number> = {};
  const started = Date.now();
  let generation: number | undefined;
  let lastError = '';
  for (let attempt = 0; generation === undefined; attempt++) {
    try {
      generation = (await client.ensureSession({ id, userId: `user-${id}`, template: 'shell', persistence: 'none' })).spec.generation;
    } catch (err) {
      const code = isNotReplicatedError(err) ? 'NOT_REPLICATED' : ((err as { code?: string }).code ?? (err as Error).name);
      refused[code] = (refused[code] ?? 0) + 1;
      lastError = (err as Error).message;
      if (Date.now() - started > o.ackDeadlineMs) return { id, outcome: { kind: 'unacknowledged', lastError }, refused };
      await new Promise((r) => setTimeout(r, 100 + reconnectDelay(attempt, undefined, 100, 1000)));
    }
  }
  const acknowledgedAt = Date.now();
  o.onAcknowledged?.();
  try {
    const status = await client.waitForReady(id, { generation, timeoutMs: o.waitTimeoutMs });
    return { id, outcome: { kind: 'running', taskArn: status.taskArn }, refused, acknowledgedAt };
  } catch (err) {
    if (isSessionNotFoundError(err)) return { id, outcome: { kind: 'lost', reason: err.reason }, refused, acknowledgedAt };
    if (isWaitTimeoutError(err)) return { id, outcome: { kind: 'timeout', message: err.message }, refused, acknowledgedAt };
    return { id, outcome: { kind: 'error', message: (err as Error).message }, refused, acknowledgedAt };
  }
}

/** Counts of outcomes by kind, and refused writes by error code, over `results`. */
export function tallyGateway(results: GatewaySessionResult[]): { outcomes: Record<GatewayOutcome['kind'], number>; refused: Record<string, number> } {
  const outcomes = { unacknowledged: 0, running: 0, lost: 0, timeout: 0, error: 0 };
  const refused: Record<string, number> = {};
  for (const r of results) {
    outcomes[r.outcome.kind]++;
    for (const [code, n] of Object.entries(r.refused)) refused[code] = (refused[code] ?? 0) + n;
  }
  return { outcomes, refused };
}
