/**
 * Scenario 6: plan time and resident memory against size. The pure `planAll` over N converged
 * sessions and N tasks (1k, 10k, 100k), each N in a fresh process; median of repeats. Targets:
 * <= 100 ms at 100k, linear growth (10k -> 100k within 12x), RSS <= 300 MB at 100k.
 */
import { measurePlanInChild, type PlanScaling } from './support/plan-scaling.js';
import { round } from './support/stats.js';
import type { BenchResult, BenchRow } from './types.js';

export const name = '6 plan and memory scaling';

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
  const repeats = quick ? 3 : 7;
  const results: PlanScaling[] = [];
  for (const n of sizes) results.push(await measurePlanInChild(n, repeats));
  const rows: BenchRow[] = [];
  for (const r of results) {
    const big = r.sessions === 100_000;
    rows.push({ metric: `plan ${r.sessions} sessions + tasks (median of ${repeats})`, value: round(r.medianMs, 1), unit: 'ms', ...(big ? { target: '<= 100 ms' } : {}) });
    rows.push({ metric: `  plans with actions (converged: 0)`, value: r.plansWithActions, unit: 'plans' });
    rows.push({ metric: `  RSS after plan at ${r.sessions}`, value: round(r.rssMb, 0), unit: 'MB', ...(big ? { target: '<= 300 MB' } : {}) });
  }
  for (let i = 1; i < results.length; i++) {
    const a = results[i - 1]!;
    const b = results[i]!;
    rows.push({ metric: `growth ${a.sessions} -> ${b.sessions}`, value: round(b.medianMs / a.medianMs, 2), unit: 'x', target: `<= ${round((b.sessions / a.sessions) * 1.2, 0)} (linear)` });
  }
  return rows;
}
