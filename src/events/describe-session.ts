/**
 * Reads what `reconciler describe session` shows: the session's records and its recent events
 * from Redis, and the explanation computed from both. Read-only.
 */
import type { Cluster, Redis } from 'ioredis';
import { RedisDesiredStore } from '../desired/redis-store.js';
import { explainSession } from './explain.js';
import type { SessionDescription } from './describe-format.js';
import { RedisSessionEvents } from './redis-events.js';

export interface DescribeOptions {
  redis: Redis | Cluster;
  /** The store's key prefix (RECONCILER_REDIS_PREFIX). */
  prefix: string;
  id: string;
  now: number;
  /** Events shown, newest first. Default 20. */
  eventLimit?: number;
  /** The controller's session start deadline, ms (for "stuck starting"). */
  startDeadlineMs?: number;
}

export async function describeSession(o: DescribeOptions): Promise<SessionDescription> {
  const store = new RedisDesiredStore({ redis: o.redis, prefix: o.prefix, ownsConnection: false });
  const events = new RedisSessionEvents({ redis: o.redis, prefix: o.prefix });
  const [entry, list] = await Promise.all([store.readSession(o.id), events.list(o.id, o.eventLimit ?? 20)]);
  const explanation = explainSession({ entry, events: list, now: o.now, ...(o.startDeadlineMs !== undefined ? { startDeadlineMs: o.startDeadlineMs } : {}) });
  return { id: o.id, entry, explanation, events: list, now: o.now };
}
