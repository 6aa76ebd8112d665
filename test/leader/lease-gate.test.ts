import { describe, expect, it } from 'vitest';
import type { GuardedCall } from '../../src/controller/execute/context.js';
import { isLeaseExpiringError, leaseGatedCall, LeaseExpiringError } from '../../src/controller/leader/index.js';

describe('leaseGatedCall', () => {
  const made: string[] = [];
  const inner: GuardedCall = (req, fn) => {
    made.push(req.operation);
    return fn(new AbortController().signal);
  };
  let remaining = 0;
  const refused: string[] = [];
  const call = leaseGatedCall(inner, { remainingLeaseMs: () => remaining, budgetOf: (op) => (op === 'RunTask' ? 10_000 : 5_000), retryAfterMs: 2000, onRefused: (e) => refused.push(e.operation) });

  it.each([
    { remaining: 0, op: 'RunTask', allowed: false, why: 'not the leader' },
    { remaining: 9_999, op: 'RunTask', allowed: false, why: 'lease shorter than the RunTask budget' },
    { remaining: 10_000, op: 'RunTask', allowed: true, why: 'lease covers the budget' },
    { remaining: 6_000, op: 'StopTask', allowed: true, why: 'StopTask has the 5 s budget' },
    { remaining: 4_000, op: 'StopTask', allowed: false, why: 'lease shorter than StopTask budget' },
    { remaining: 0, op: 'DescribeTasks', allowed: true, why: 'reads are never gated (followers keep their view warm)' },
    { remaining: 0, op: 'CreateAccessPoint', allowed: false, why: 'EFS mutations too' },
  ])('$op with $remaining ms of lease left: allowed=$allowed ($why)', async (c) => {
    remaining = c.remaining;
    made.length = 0;
    refused.length = 0;
    const result = await call({ service: 'ecs', operation: c.op }, async () => 'done').catch((e: unknown) => e);
    if (c.allowed) {
      expect(result).toBe('done');
      expect(made).toEqual([c.op]);
    } else {
      expect(isLeaseExpiringError(result)).toBe(true);
      expect((result as LeaseExpiringError).retryAfterMs).toBe(2000);
      expect(made).toEqual([]);
      expect(refused).toEqual([c.op]);
    }
  });
});
