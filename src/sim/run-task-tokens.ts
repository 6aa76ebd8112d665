import type { Failure } from '@aws-sdk/client-ecs';
import type { Clock } from '../common/clock.js';
import { ecsError } from './errors.js';
import type { RunTaskInput } from './ecs-schemas.js';

interface Remembered {
  fingerprint: string;
  taskIds: string[];
  taskArns: string[];
  failures: Failure[];
  at: number;
}

/**
 * RunTask `clientToken` memory, per cluster, for `ttlMs` (ECS: 24 h). A replay with the same
 * parameters returns the original tasks; the same token with different parameters is a
 * ConflictException naming the original tasks. A call that started no task is not remembered.
 */
export class RunTaskTokens {
  private readonly byKey = new Map<string, Remembered>();

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: () => number,
  ) {}

  /** The original result for this token, or undefined when unseen or expired. Throws ConflictException on a mismatch. */
  lookup(cluster: string, token: string, req: RunTaskInput): Remembered | undefined {
    const key = `${cluster}\u0000${token}`;
    const r = this.byKey.get(key);
    if (!r) return undefined;
    if (r.at + this.ttlMs() <= this.clock.now()) {
      this.byKey.delete(key);
      return undefined;
    }
    if (r.fingerprint !== fingerprint(req)) {
      throw ecsError.conflict(
        `The clientToken '${token}' was already used with different parameters for the tasks ${r.taskArns.join(', ')}.`,
        r.taskArns,
      );
    }
    return r;
  }

  remember(cluster: string, token: string, req: RunTaskInput, taskIds: string[], taskArns: string[], failures: Failure[]): void {
    this.expire();
    const key = `${cluster}\u0000${token}`;
    // Re-inserted at the end, so the map stays in remembering order (expire walks it from the front).
    this.byKey.delete(key);
    this.byKey.set(key, {
      fingerprint: fingerprint(req),
      taskIds,
      taskArns,
      failures,
      at: this.clock.now(),
    });
  }

  /**
   * Forgets tokens older than the TTL, oldest first. Without this a token that is never replayed
   * would be kept forever; with it the memory holds the tokens of the last `ttlMs` only (ECS: the
   * RunTask calls with a clientToken of the last 24 h).
   */
  private expire(): void {
    const oldest = this.clock.now() - this.ttlMs();
    for (const [key, r] of this.byKey) {
      if (r.at > oldest) break;
      this.byKey.delete(key);
    }
  }

  clear(): void {
    this.byKey.clear();
  }

  size(): number {
    return this.byKey.size;
  }
}

/** A canonical JSON of the request without the token (object keys sorted, so member order does not matter). */
export function fingerprint(req: RunTaskInput): string {
  const { clientToken: _t, ...rest } = req;
  return canonical({ ...rest, count: rest.count ?? 1 });
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
