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

/**
 * The plan asked to change a task that ECS does not show as ours to change (no owner tag, or,
 * for a tag write, a task serving another session): refused, always. `why` defaults to the
 * missing owner tag.
 */
export class NotOwnedError extends Error {
  constructor(
    readonly taskArn: string,
    readonly operation: 'stop' | 'tag' = 'stop',
    why = 'it does not carry our owner tag',
  ) {
    super(`refusing to ${operation} ${taskArn}: ${why}`);
    this.name = 'NotOwnedError';
  }
}

/** A launch whose env overrides would replace a template variable: refused at the action. */
export class EnvOverrideRefusedError extends Error {
  constructor(readonly detail: string) {
    super(`refusing RunTask: ${detail}`);
    this.name = 'EnvOverrideRefusedError';
  }
}

/**
 * A precondition the plan decided from the cache no longer holds where the action happens
 * (e.g. an "orphan" whose session the gateway has just written again). Not a failure: the key
 * is planned again from what was just learned.
 */
export class PreconditionFailedError extends Error {
  constructor(
    readonly key: string,
    readonly what: string,
  ) {
    super(`${key}: ${what}; planning again`);
    this.name = 'PreconditionFailedError';
  }
}

/**
 * EFS refused CreateAccessPoint with a no-blind-retry error (quota such as
 * AccessPointLimitExceeded, access denied). The refusal is in the cache; the key is planned
 * again at once from it. `reason` is the status reason, `cause` the typed AWS error.
 */
export class AccessPointRefusedError extends Error {
  constructor(
    readonly reason: string,
    message: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'AccessPointRefusedError';
  }
}
