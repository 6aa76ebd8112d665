/**
 * Scenario 6's measurement: the pure plan (`planAll`) over N converged sessions and N tasks,
 * inputs built with the test fixture builders. Run as a child process per N (so resident memory
 * is that of the plan at N, not of whatever ran before):
 *   node --import tsx bench/support/plan-scaling.ts <N> <repeats>   -> one JSON line on stdout
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { planAll } from '../../src/controller/plan/plan.js';
import { planSession } from '../../src/controller/plan/plan-session.js';
import type { SessionEntry } from '../../src/desired/types.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { aPlanConfig, aSpec, aStatus, aTask, anObserved, contentTagsFor, T0 } from '../../test/fixtures/builders.js';
import { median } from './stats.js';

export interface PlanScaling {
  sessions: number;
  /** Plans with at least one action (0 when every session is converged). */
  plansWithActions: number;
  /** Median and all plan times in ms. */
  medianMs: number;
  runsMs: number[];
  /** Resident set size and heap after planning, in MB. */
  rssMb: number;
  heapMb: number;
}

const ALL_FAMILIES = { has: (): boolean => true };

/** N converged sessions: spec, the Running status the plan itself writes, one RUNNING task each. */
export function convergedInputs(n: number): { sessions: Map<string, SessionEntry>; tasks: ObservedTask[] } {
  const cfg = aPlanConfig();
  const sessions = new Map<string, SessionEntry>();
  const tasks: ObservedTask[] = [];
  for (let i = 0; i < n; i++) {
    const id = `p${i.toString(36).padStart(6, '0')}`;
    const spec = aSpec({ id, userId: `u${i}` });
    const task = aTask({ session: id, extraTags: contentTagsFor(spec), privateIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    const starting = aStatus({ phase: 'Starting', incarnation: 1, taskArn: task.arn });
    const first = planSession({ id, entry: { id, spec, status: starting }, tasks: [task], accessPoints: [], accessPointsKnown: true, knownFamilies: ALL_FAMILIES }, T0 + 20_000, cfg);
    const written = first.actions.find((a) => a.type === 'writeStatus');
    const status = written && 'status' in written ? written.status : starting;
    sessions.set(id, { id, spec, status });
    tasks.push(task);
  }
  return { sessions, tasks };
}

export function measurePlan(n: number, repeats: number): PlanScaling {
  const cfg = aPlanConfig();
  const { sessions, tasks } = convergedInputs(n);
  const observed = anObserved(tasks);
  const inputs = { desired: { sessions }, observed, knownFamilies: ALL_FAMILIES };
  planAll(inputs, T0 + 99_000, cfg); // warm-up (JIT)
  const runsMs: number[] = [];
  let plansWithActions = 0;
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    plansWithActions = planAll(inputs, T0 + 99_000, cfg).length;
    runsMs.push(performance.now() - t);
  }
  const mem = process.memoryUsage();
  return { sessions: n, plansWithActions, medianMs: median(runsMs), runsMs, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20 };
}

const self = fileURLToPath(import.meta.url);

/** Runs `measurePlan(n, repeats)` in a fresh Node process. */
export async function measurePlanInChild(n: number, repeats: number): Promise<PlanScaling> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', self, String(n), String(repeats)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as PlanScaling;
}

if (process.argv[1] === self) {
  console.log(JSON.stringify(measurePlan(Number(process.argv[2]), Number(process.argv[3] ?? 5))));
}
