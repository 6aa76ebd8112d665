/** Action of `reconciler plan` (loaded only when the verb runs). */
import { buildDaemon } from '../../src/app/daemon.js';
import { loadConfig } from '../../src/config/load.js';
import { formatPlanTable } from '../../src/controller/plan/format.js';

/** Prints the plan; exit code 0 when converged, 2 when actions are planned (errors throw: 1). */
export async function planCommand(output: 'table' | 'json'): Promise<void> {
  const daemon = buildDaemon(loadConfig());
  try {
    await daemon.controller.fullSync();
    const plans = daemon.controller.planAll();
    const actions = plans.flatMap((p) => p.actions);
    if (output === 'json') console.log(JSON.stringify({ actions }, null, 2));
    else console.log(formatPlanTable(actions));
    process.exitCode = actions.length === 0 ? 0 : 2;
  } finally {
    await daemon.close();
  }
}
