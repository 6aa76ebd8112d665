/**
 * Logging of stops the safety gate holds back, without a warning storm: while the brake is
 * engaged every stop it holds is retried every few seconds, so one warning per deferral would
 * repeat for every task each time. Instead, per reason, one warning when deferrals start and
 * then at most one summary per interval (count since the last warning, one example); every
 * single deferral goes to debug. Time comes from the injected clock.
 */
import type { Clock } from '../../common/clock.js';
import type { StopWaitReason } from './safety-stop-gate.js';

/** The log levels this uses (a pino logger fits); without debug, single deferrals are not logged. */
export interface DeferralLogger {
  warn(fields: object, msg: string): void;
  debug?(fields: object, msg: string): void;
}

export interface DeferralLogOptions {
  clock: Clock;
  log: DeferralLogger;
  /** At most one warning per reason per this many ms (default 60 000). */
  intervalMs?: number;
}

export class DeferralLog {
  private readonly lastWarnAt = new Map<StopWaitReason, number>();
  private readonly sinceWarn = new Map<StopWaitReason, number>();
  private readonly intervalMs: number;

  constructor(private readonly o: DeferralLogOptions) {
    this.intervalMs = o.intervalMs ?? 60_000;
  }

  /** For soak tests and diagnostics: one entry per stop-wait reason at most (a fixed set). */
  sizes(): Record<string, number> {
    return { lastWarnAt: this.lastWarnAt.size, sinceWarn: this.sinceWarn.size };
  }

  /** Records one deferred stop; logs a warning only when this reason has not warned within the interval. */
  note(reason: StopWaitReason, taskArn: string, why: string): void {
    const now = this.o.clock.now();
    const count = (this.sinceWarn.get(reason) ?? 0) + 1;
    const last = this.lastWarnAt.get(reason);
    if (last !== undefined && now - last < this.intervalMs) {
      this.sinceWarn.set(reason, count);
      this.o.log.debug?.({ reason, taskArn }, `stop deferred: ${why}`);
      return;
    }
    this.lastWarnAt.set(reason, now);
    this.sinceWarn.set(reason, 0);
    const summary = last === undefined ? 'stops are being deferred' : `${count} stop(s) deferred since the last warning`;
    this.o.log.warn({ reason, deferred: count, exampleTaskArn: taskArn }, `${summary}: ${why} (retried until allowed; next summary in ${Math.round(this.intervalMs / 1000)} s at most)`);
  }
}
