/** Action of `reconciler warm-pool set` (loaded only when the verb runs). */
import { withSessionClient } from './session.js';

export async function warmPoolSet(name: string, target: number, template: string | undefined): Promise<void> {
  await withSessionClient(async (client) => {
    const r = await client.setWarmPoolTarget(name, target, template ? { template } : {});
    console.log(`warm pool ${name} (template ${r.spec.template}) target ${r.spec.target}${r.changed ? '' : ' (unchanged)'}`);
  });
}
