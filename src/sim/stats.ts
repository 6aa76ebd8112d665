import { MUTATING_OPERATIONS, type SimOperation } from './ops.js';

/** How one API call ended. `hung` calls were aborted by the client before any answer. */
export type CallOutcome = 'ok' | 'error' | 'throttled' | 'hung';

export interface OutcomeCounts {
  calls: number;
  ok: number;
  errors: number;
  throttled: number;
  hung: number;
}

export interface StatsSnapshot {
  total: OutcomeCounts & { mutatingCalls: number };
  byOperation: Partial<Record<SimOperation, OutcomeCounts>>;
  /** Error answers by AWS error code (throttling included). */
  errorsByCode: Record<string, number>;
}

function zero(): OutcomeCounts {
  return { calls: 0, ok: 0, errors: 0, throttled: 0, hung: 0 };
}

/**
 * API call counters per operation and outcome. `calls` counts every call received (also
 * those still in flight); `mutatingCalls` counts calls to state-changing operations, whatever
 * their outcome, so "a converged cluster makes zero mutating calls" is `total.mutatingCalls === 0`.
 */
export class SimStats {
  private total = { ...zero(), mutatingCalls: 0 };
  private byOp = new Map<SimOperation, OutcomeCounts>();
  private byCode = new Map<string, number>();

  private op(op: SimOperation): OutcomeCounts {
    let c = this.byOp.get(op);
    if (!c) this.byOp.set(op, (c = zero()));
    return c;
  }

  received(op: SimOperation): void {
    this.total.calls++;
    this.op(op).calls++;
    if (MUTATING_OPERATIONS.has(op)) this.total.mutatingCalls++;
  }

  finished(op: SimOperation, outcome: CallOutcome, errorCode?: string): void {
    const key = outcome === 'error' ? 'errors' : outcome;
    this.total[key]++;
    this.op(op)[key]++;
    if (errorCode) this.byCode.set(errorCode, (this.byCode.get(errorCode) ?? 0) + 1);
  }

  snapshot(): StatsSnapshot {
    return {
      total: { ...this.total },
      byOperation: Object.fromEntries([...this.byOp].map(([k, v]) => [k, { ...v }])),
      errorsByCode: Object.fromEntries(this.byCode),
    };
  }

  reset(): void {
    this.total = { ...zero(), mutatingCalls: 0 };
    this.byOp.clear();
    this.byCode.clear();
  }
}
