/**
 * Shutdown signals that arrive while `reconciler run` is still loading its code.
 *
 * Until the daemon installs its own SIGTERM/SIGINT handlers, Node's default action ends the
 * process by the signal (exit status 128+15), so an orchestrator that stops a container right
 * after starting it (ECS scale-in, a deploy, a crash loop's restart) would see a kill, not a
 * clean stop. `catchEarlySignals` is installed first thing for the `run` verb: it records the
 * first signal; a second one exits at once with code 130, as the daemon itself does.
 */

/** A recorder of SIGTERM/SIGINT received before the daemon's own handlers are installed. */
export interface EarlySignals {
  /**
   * Removes the recorder's handlers and returns the first signal it saw, if any. Call it in the
   * same synchronous step that installs the daemon's handlers, so no signal falls in between.
   */
  release(): NodeJS.Signals | undefined;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Starts recording SIGTERM/SIGINT; see {@link EarlySignals}. */
export function catchEarlySignals(): EarlySignals {
  let first: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (first) process.exit(130);
    first = signal;
  };
  for (const s of SHUTDOWN_SIGNALS) process.on(s, onSignal);
  return {
    release() {
      for (const s of SHUTDOWN_SIGNALS) process.off(s, onSignal);
      return first;
    },
  };
}
