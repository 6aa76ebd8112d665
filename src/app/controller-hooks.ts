/**
 * The controller's observation hooks (plan, executed action, reconcile result, sync, error) as
 * one type, and a merge so logs, metrics and events each attach their own set without knowing
 * of the others. Hooks run on the controller's hot path: they must be cheap and never throw
 * (a throwing hook is caught here and reported to the others' `onError`).
 */
import type { ControllerOptions } from '../controller/controller.js';

export type ControllerHooks = Pick<ControllerOptions, 'onPlan' | 'onEvent' | 'onResult' | 'onSync' | 'onError' | 'onTaskEvent'>;

type HookName = keyof ControllerHooks;
const HOOK_NAMES: HookName[] = ['onPlan', 'onEvent', 'onResult', 'onSync', 'onError', 'onTaskEvent'];

/** One set of hooks calling every given set in order; a hook that throws does not stop the rest. */
export function mergeControllerHooks(...sets: Array<ControllerHooks | undefined>): ControllerHooks {
  const out: ControllerHooks = {};
  const present = sets.filter((s): s is ControllerHooks => s !== undefined);
  for (const name of HOOK_NAMES) {
    const fns = present.map((s) => s[name]).filter((f): f is NonNullable<typeof f> => f !== undefined) as Array<(...args: unknown[]) => void>;
    if (fns.length === 0) continue;
    const merged = (...args: unknown[]): void => {
      for (const fn of fns) {
        try {
          fn(...args);
        } catch (err) {
          if (name !== 'onError') for (const s of present) s.onError?.(`hook ${name}`, err);
        }
      }
    };
    (out as Record<HookName, unknown>)[name] = merged;
  }
  return out;
}
