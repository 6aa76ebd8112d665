import type { AwsErrorKind } from '../../observed/aws-errors.js';

/** How one guarded AWS call ended, as metrics and logs see it. */
export type CallOutcome = 'ok' | 'throttled' | 'error' | 'timeout' | 'rejectedByBreaker' | 'aborted';

export interface CallOutcomeEvent {
  service: string;
  operation: string;
  key: string | undefined;
  outcome: CallOutcome;
  /** Classification of the failure; undefined on success. */
  kind: AwsErrorKind | undefined;
  /** Ms spent waiting for rate-limit tokens. */
  waitedMs: number;
  /** Ms the call itself took (0 when it never ran). */
  durationMs: number;
}

/** Where the guard reports outcomes; the metrics layer decorates this. */
export interface CallOutcomeSink {
  record(event: CallOutcomeEvent): void;
}

export const noopCallOutcomeSink: CallOutcomeSink = { record: () => undefined };
