/**
 * The run's event log: every schedule event, controller action and mutating sim call, with its
 * virtual time. All events feed a running sha256 digest (the determinism check compares two
 * runs of a seed by it); only the last `capacity` are kept in memory for the failure trace.
 */
import { createHash, type Hash } from 'node:crypto';

export interface LoggedEvent {
  /** Virtual time, ms since the run started. */
  t: number;
  /** Who: `sched`, `ctl#2`, `aws`, `check`, `gateway`. */
  source: string;
  text: string;
}

export class EventLog {
  private readonly ring: LoggedEvent[] = [];
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  constructor(
    private readonly now: () => number,
    private readonly capacity = 400,
    /** Echo every event as it happens (`--verbose`). */
    private readonly echo?: (line: string) => void,
  ) {}

  add(source: string, text: string): void {
    const e: LoggedEvent = { t: this.now(), source, text };
    this.count++;
    this.hash.update(`${e.t}|${source}|${text}\n`);
    this.ring.push(e);
    if (this.ring.length > this.capacity) this.ring.shift();
    this.echo?.(formatEvent(e));
  }

  /** Events logged so far. */
  size(): number {
    return this.count;
  }

  /** The last `n` events (at most `capacity`). */
  tail(n: number): LoggedEvent[] {
    return this.ring.slice(-n);
  }

  /** Digest of every event logged; call once, at the end of the run. */
  digest(): string {
    return this.hash.digest('hex').slice(0, 16);
  }
}

export function formatEvent(e: LoggedEvent): string {
  return `${(e.t / 1000).toFixed(3).padStart(9)}s ${e.source.padEnd(8)} ${e.text}`;
}
