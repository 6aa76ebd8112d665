/**
 * A client-side deadline that an event-loop stall cannot trip falsely. A plain `setTimeout`
 * deadline on a network call fails an answered call whenever the loop stalls past the deadline
 * (a major garbage collection near the heap cap, a large synchronous step): when the loop resumes,
 * Node runs due timers before it polls sockets, so the timer rejects while the answer waits unread
 * in the socket. Here the timer only arms a check that runs in the same loop iteration's check
 * phase (`setImmediate`), after the poll phase has read every socket that is ready: an answer
 * that arrived during the stall settles the call first. A call with no answer is still failed,
 * one loop turn after `ms`.
 *
 * Seen at 100,000 sessions on Node 24 with the heap capped at 200 MB: two hint reads "timed out"
 * during the take-over (each cost a full desired and ECS read) although the server had answered
 * them (docs/performance.md, finding 7, fourth round).
 */

/** The error of a call that had no answer by its deadline. */
export class StallSafeTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StallSafeTimeoutError';
  }
}

/**
 * `call`, or a rejection with StallSafeTimeoutError(`message`) when it has not settled `ms`
 * milliseconds after this is called and after the poll phase that follows. `ms` undefined: no
 * deadline (returns `call`). The call itself is not cancelled: the caller closes what it used.
 */
export function stallSafeTimeout<T>(call: Promise<T>, ms: number | undefined, message = 'Command timed out'): Promise<T> {
  if (ms === undefined) return call;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new StallSafeTimeoutError(message));
      });
    }, ms);
    call.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
