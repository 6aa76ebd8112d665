/**
 * `npm run simulate -- --seeds N [--seed S] [--events] [--verbose] [--mutation NAME]`
 *
 * `--events`: ECS task state change events on (EventBridge -> SQS, delivered late, duplicated,
 * reordered and 20% lost; some seeds lose SQS for a while); the controller reads them as hints.
 *
 * Runs seeds S, S+1, ... S+N-1 (default S=1, N=1) of the deterministic simulation; prints
 * seeds per second and, for a failure, the seed, the violated invariant, the events around it
 * and the one command that replays it. Exit code 1 when any seed fails.
 */
import { Command } from 'commander';
import { formatEvent } from './event-log.js';
import { knownBugOf } from './known-bugs.js';
import { MUTATIONS } from './mutations.js';
import type { ScheduleOptions } from './schedule.js';
import { replayCommand, runSeed } from './run.js';

const program = new Command()
  .name('simulate')
  .option('--seeds <n>', 'how many seeds to run', '1')
  .option('--seed <s>', 'first seed', '1')
  .option('--verbose', 'print every event of every run as it happens', false)
  .option('--mutation <name>', `run a deliberately broken controller (${Object.keys(MUTATIONS).join(', ')})`)
  .option('--keep-going', 'do not stop at the first failing seed', false)
  .option('--emphasis <kind>', 'bias each schedule towards one fault kind or bias (as the mutation tests do), e.g. wipe, rollback, warmEnv')
  .option('--events', 'ECS task state change events on (delayed, duplicated, reordered, 20% lost; some SQS outages)', false)
  .parse(process.argv);

const opts = program.opts<{ seeds: string; seed: string; verbose: boolean; mutation?: string; keepGoing: boolean; emphasis?: ScheduleOptions['emphasis']; events: boolean }>();
const count = Number(opts.seeds);
const first = Number(opts.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(first) || first < 0) {
  console.error('--seeds must be an integer >= 1 and --seed an integer >= 0');
  process.exit(2);
}
const mutation = opts.mutation === undefined ? undefined : MUTATIONS[opts.mutation];
if (opts.mutation !== undefined && !mutation) {
  console.error(`unknown mutation '${opts.mutation}' (known: ${Object.keys(MUTATIONS).join(', ')})`);
  process.exit(2);
}

const started = performance.now();
let failed = 0;
let ran = 0;
const converged: number[] = [];
let mutatingCalls = 0;
for (let seed = first; seed < first + count; seed++) {
  const r = await runSeed({ seed, events: opts.events, ...(mutation ? { mutation } : {}), ...(opts.emphasis ? { schedule: { emphasis: opts.emphasis } } : {}), ...(opts.verbose ? { echo: (l: string) => console.log(l) } : {}) });
  ran++;
  if (r.convergedAfterMs !== undefined) converged.push(r.convergedAfterMs);
  mutatingCalls += r.mutatingCalls;
  if (!r.violation) {
    if (opts.verbose || count <= 20) console.log(`seed ${seed}: ok (converged ${r.convergedAfterMs} ms after the faults; ${r.mutatingCalls} mutating calls for ${r.work} units of work; faults: ${r.kinds.join(',') || 'none'}; digest ${r.digest})`);
    continue;
  }
  failed++;
  const v = r.violation;
  console.log(`\nseed ${seed}: FAILED invariant ${v.invariant} (${v.name}) at ${(v.at / 1000).toFixed(3)} s of virtual time`);
  console.log(`  ${v.message}`);
  const known = knownBugOf(v);
  if (known) console.log(`  (known bug ${known.id}: ${known.summary})`);
  console.log(`  faults in this seed: ${r.kinds.join(',') || 'none'}`);
  console.log('  last events:');
  for (const e of r.trace.slice(-25)) console.log(`    ${formatEvent(e)}`);
  console.log(`  replay: ${replayCommand(seed, opts.mutation, opts.events)}\n`);
  if (!opts.keepGoing) break;
}
const secs = (performance.now() - started) / 1000;
console.log(`${ran} seeds${opts.events ? ' (task events on)' : ''} in ${secs.toFixed(1)} s (${(ran / secs).toFixed(2)} seeds/s), ${failed} failed`);
if (converged.length > 1) {
  const s = [...converged].sort((a, b) => a - b);
  const at = (p: number): number => s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  console.log(`converged after the faults (${s.length} seeds): mean ${(mean / 1000).toFixed(1)} s, p50 ${(at(50) / 1000).toFixed(1)} s, p99 ${(at(99) / 1000).toFixed(1)} s, max ${(s[s.length - 1]! / 1000).toFixed(1)} s; ${mutatingCalls} mutating AWS calls in all`);
}
process.exit(failed > 0 ? 1 : 0);
