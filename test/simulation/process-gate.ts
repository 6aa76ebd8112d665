/**
 * A controller "process" boundary on a shared virtual clock. Every call the controller makes to
 * the outside world (AWS, desired store) passes the gate twice: on the way out and on the way
 * back. That is how one process models what a real crash or pause does to the others:
 *
 * - `kill()`: the process is gone. Calls already inside AWS complete there (the request was
 *   sent), but their answers never come back, and nothing new leaves. The controller object
 *   may keep running timers; none of it reaches the world again.
 * - `freeze()`: SIGSTOP. Calls wait at the gate (both ways) until `thaw()`, then go on in order;
 *   a request held on the way out reaches AWS or the store late, as from a process that woke up.
 */
export type GateState = 'alive' | 'frozen' | 'dead';

const never = new Promise<never>(() => undefined);

export class ProcessGate {
  private stateValue: GateState = 'alive';
  private waiters: Array<() => void> = [];

  get state(): GateState {
    return this.stateValue;
  }

  freeze(): void {
    if (this.stateValue === 'alive') this.stateValue = 'frozen';
  }

  thaw(): void {
    if (this.stateValue !== 'frozen') return;
    this.stateValue = 'alive';
    for (const w of this.waiters.splice(0)) w();
  }

  kill(): void {
    this.stateValue = 'dead';
    this.waiters = [];
  }

  /** Resolves when the process may go on; never, once it is dead. */
  pass(): Promise<void> {
    if (this.stateValue === 'alive') return Promise.resolve();
    if (this.stateValue === 'dead') return never;
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Runs `fn` as an outside call of this process (gated both ways). */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.pass();
    let out: T;
    try {
      out = await fn();
    } catch (err) {
      await this.pass();
      throw err;
    }
    await this.pass();
    return out;
  }
}
