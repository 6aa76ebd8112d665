import { AwsCallError, type AwsCallContext } from '../../observed/aws-errors.js';

/**
 * A call rejected locally because its dependency's breaker is open (or a half-open probe is
 * already deciding). Retryable; `retryAfterMs` says when a probe will next be allowed.
 */
export class CircuitOpenError extends AwsCallError {
  readonly retryAfterMs: number;
  readonly dependency: string;

  constructor(dependency: string, retryAfterMs: number, ctx?: Partial<AwsCallContext>, cause?: unknown) {
    const at: AwsCallContext = { service: ctx?.service ?? dependency, operation: ctx?.operation ?? '*', ...(ctx?.key ? { key: ctx.key } : {}) };
    super('circuitOpen', at, `circuit for ${dependency} is open; retry after ${Math.ceil(retryAfterMs)} ms`, cause);
    this.dependency = dependency;
    this.retryAfterMs = retryAfterMs;
  }
}

export function isCircuitOpen(err: unknown): err is CircuitOpenError {
  return err instanceof CircuitOpenError;
}
