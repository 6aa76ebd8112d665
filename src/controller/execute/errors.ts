/** Outcomes of executing an action that are not AWS errors but still mean "try again later". */

/** RunTask answered with `failures` and no task (e.g. capacity). Transient: backs off through the queue. */
export class LaunchFailedError extends Error {
  constructor(
    readonly sessionId: string,
    readonly reasons: string[],
  ) {
    super(`RunTask for ${sessionId} started no task: ${reasons.join('; ') || 'no reason given'}`);
    this.name = 'LaunchFailedError';
  }
}

/** A stop must wait (safety brake or stop budget); the key is requeued after `retryAfterMs`. */
export class StopDeferredError extends Error {
  constructor(
    readonly taskArn: string,
    readonly why: string,
    readonly retryAfterMs: number,
  ) {
    super(`stop of ${taskArn} deferred: ${why}`);
    this.name = 'StopDeferredError';
  }
}

/** The plan asked to stop a task that lacks our owner tag: refused, always. */
export class NotOwnedError extends Error {
  constructor(readonly taskArn: string) {
    super(`refusing to stop ${taskArn}: it does not carry our owner tag`);
    this.name = 'NotOwnedError';
  }
}
