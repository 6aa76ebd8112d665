/**
 * Seeds that once failed, kept in CI for good (each names what it caught). A new failing seed
 * is added here together with its fix.
 */
export const REGRESSION_SEEDS: ReadonlyArray<{ seed: number; caught: string }> = [
  { seed: 319, caught: 'invariant 6: a status computed for generation 2 written onto the re-applied generation-1 record after a desired-state wipe' },
  { seed: 808, caught: "invariant 6/8: the same after a wipe, during a make-before-break replacement; again once desired and observed reads were split (issue #17): a failed launch's abandoned intent written on the cached spec's generation, the new life's, not the action's" },
  { seed: 902, caught: 'invariant 6: a stale status after a desired-state wipe' },
  { seed: 1291, caught: 'invariant 6: a status claiming observedGeneration 2 on a generation-1 record (unconditional status write)' },
  { seed: 1350, caught: 'invariant 6: a stale status after a wipe, with paused leaders and lost answers' },
  { seed: 1695, caught: 'invariant 7: a full sync restored an old pool batch intent (an extra warm task launched, then stopped)' },
  { seed: 16, caught: 'invariant 3: a Redis rollback brought back a deleted session (the gateway model now deletes again after a store loss, as a gateway re-asserts what it wants)' },
  { seed: 73, caught: 'invariant 9: with the production brake holding orphan stops after a wipe, the fresh life adopted an older incarnation, not the one the gateway was given' },
  { seed: 1432, caught: 'invariant 6 (10,000-seed run): a rollback lost the new term\'s epoch at the very millisecond it began; the model kept that leader (strict >), and a paused old leader\'s held write was accepted. The term now steps down, as its elector would' },
  { seed: 1054, caught: 'invariant 3 (10,000-seed run): a new process after a wipe took the running tasks as the brake baseline and the brake held every stop for good; the simulated operator now answers the brake alert in the quiet period, as the runbook says' },
  { seed: 2210, caught: 'invariant 1 (10,000-seed run): a warm pool scale-down of 10 engaged the desired-state brake, which held the stop of a replaced incarnation; time bounds now pause while a brake holds stops on purpose (the operator releases it in the quiet period)' },
  { seed: 2258, caught: 'invariant 8 (10,000-seed run, at f0fda02): after a wipe the gateway wrote the session again with new env at generation 1; a status computed for the old life at generation 1 passed the generation check. Status writes now also carry the spec life (uid)' },
  { seed: 362, caught: 'invariant 7: the gateway\'s re-apply after a rollback came in the quiet period (an expired session re-ensured: a new life) after convergence was declared; a pending re-apply now counts as gateway work still to come' },
  { seed: 6546, caught: 'invariant 7 (10,000-seed run, at 9611d09): a full sync read a stopped task as it was before the stop (ECS shows stops late) and the cache took it, so the task was stopped twice; reads now never move a task back to an older version, and the simulator bumps version on a stop request as ECS does' },
  { seed: 5414, caught: 'invariant 7 (10,000-seed run, at 9611d09): the same repeated stop after a late-visible stop' },
  { seed: 100, caught: 'invariant 9: an orphan stop decided before the gateway re-wrote the session, sent after it (precondition checked at the action)' },
  { seed: 7303, caught: 'invariant 7 (10,000-seed run): a warm batch RunTask was served but every answer was lost, and the observed reads failed until after the faults; the world looked converged (the task ran), but the controller had not seen it and re-sent the intent with its token (ECS returned the same task) in the stable window. Convergence now also needs the leader to have read desired and observed state with reads begun after the faults stopped' },
  { seed: 5786, caught: 'invariant 7 (10,000-seed run): an expired session\'s stop held by an engaged desired-state brake was taken as converged; the brake let go (desired-back) in the stable window and the stop went out. A held stop is now work still to come (the read rule of 7303 also hides this seed, by timing: the brake let go at the first read after the faults)' },
  { seed: 90, caught: 'invariant 9: the simulator brought back tags from before a TagResource made while no tag lag was set once a later lag window opened, so an adopted task looked like a task of its earlier life and was stopped while serving' },
  { seed: 2034, caught: 'invariant 1 (10,000-seed run, at c3bf98d): a TagResource adopting a task into a new life was made inside a tag-lag window; the simulator then showed the task with no tags at all (its RunTask tags had shown at once, so no history was kept), a full read took that view, the task looked foreign and the session taskless, and a second task was launched for the same incarnation. The simulator now shows the tags from before the write; the cache keeps known tags when a view has none' },
  { seed: 2855, caught: 'invariant 1 (10,000-seed run): the same tagless view after an adoption during a tag lag' },
  { seed: 5582, caught: 'invariant 1 (10,000-seed run): the same tagless view, with a Redis rollback and lost replies' },
  { seed: 2428, caught: 'invariant 3 (10,000-seed run): a make-before-break replacement gave up after 3 failed starts (Running at observedGeneration 1, Updating False StartFailed, targetGeneration 2), which holds until the spec changes; the gateway model retried only phase Failed, never a failed update (a real gateway\'s waitForReady rejects on both). It now retries both, by the client\'s failedForGeneration' },
  { seed: 880, caught: 'invariant 3 (10,000-seed run): the same failed update never retried (a seed with crashes and a rollback)' },
  { seed: 1096, caught: 'invariant 3 (10,000-seed run): the same failed update never retried (a seed with paused leaders and an EFS outage)' },
  { seed: 2392, caught: 'invariant 3 (10,000-seed run): the same failed update never retried, of a session with an idle timeout' },
  { seed: 101, caught: 'invariant 7 (the CI budget, once the cache was updated in place and keys were reconciled in another order): a warm batch intent whose RunTask the open breaker refused was re-sent after the pool target had dropped to 0 and its tasks were stopped, so a task was started and stopped in the quiet. An intent is now re-sent only while the pool lacks tasks' },
];
