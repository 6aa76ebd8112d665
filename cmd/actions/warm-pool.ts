/** Action of `reconciler warm-pool set` (loaded only when the verb runs). */
import { checkPoolTarget, poolsFromEnv } from './controller-env.js';
import { withSessionClient } from './session.js';

/** Writes the target; refuses one the controller would cap or ignore when RECONCILER_POOLS says so. */
export async function warmPoolSet(name: string, target: number, template: string | undefined): Promise<void> {
  const pools = poolsFromEnv();
  checkPoolTarget(name, target, pools);
  await withSessionClient(async (client) => {
    const r = await client.setWarmPoolTarget(name, target, template ? { template } : {});
    const note = pools ? '' : " (the controller caps it at the pool's maxSize in RECONCILER_POOLS)";
    console.log(`warm pool ${name} (template ${r.spec.template}) target ${r.spec.target}${r.changed ? '' : ' (unchanged)'}${note}`);
  });
}
