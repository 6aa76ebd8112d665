/**
 * `npm run soak -- --days 7 --sessions 1000 [--seed S] [--resync-seconds R] [--churn F]`
 *
 * Runs the soak (soak.ts) and prints every size next to its stated bound. Exit code 1 when an
 * invariant failed, the system did not converge after the churn, or a size exceeded its bound
 * (or has none stated).
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { formatRows, runSoak } from './soak.js';

const program = new Command()
  .name('soak')
  .option('--days <d>', 'virtual days of churn', '7')
  .option('--sessions <n>', 'live sessions kept', '1000')
  .option('--seed <s>', 'seed', '1')
  .option('--resync-seconds <r>', 'full resync interval of the controllers (the simulation default is 10)', '10')
  .option('--churn <f>', 'share of live sessions deleted and replaced each virtual minute', '0.01')
  .option('--sample-minutes <m>', 'a window of invariant samples and a size reading every this many virtual minutes', '10')
  .option('--events', 'ECS task state change events through SQS, read by the controller', false)
  .option('--json <file>', 'also write the result (sizes, bounds, churn, stats) as JSON to this file')
  .parse(process.argv);

const opts = program.opts<{ days: string; sessions: string; seed: string; resyncSeconds: string; churn: string; sampleMinutes: string; json?: string; events: boolean }>();
const days = Number(opts.days);
const sessions = Number(opts.sessions);
const seed = Number(opts.seed);
const resyncSeconds = Number(opts.resyncSeconds);
const churn = Number(opts.churn);
const sampleMinutes = Number(opts.sampleMinutes);
const problems = [
  !(days > 0) && `--days must be > 0, got ${opts.days}`,
  !(Number.isInteger(sessions) && sessions >= 1) && `--sessions must be an integer >= 1, got ${opts.sessions}`,
  !(Number.isInteger(seed) && seed >= 0) && `--seed must be an integer >= 0, got ${opts.seed}`,
  !(resyncSeconds >= 1) && `--resync-seconds must be >= 1, got ${opts.resyncSeconds}`,
  !(churn > 0 && churn <= 0.5) && `--churn must be in (0, 0.5], got ${opts.churn}`,
  !(sampleMinutes >= 1) && `--sample-minutes must be >= 1, got ${opts.sampleMinutes}`,
].filter(Boolean);
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(2);
}

console.log(`soak: ${days} virtual day(s), ${sessions} sessions, seed ${seed}, resync ${resyncSeconds} s${resyncSeconds === 10 ? '' : ' (longer than the simulation default of 10 s, to fit wall time)'}, churn ${churn * 100}%/min`);
const r = await runSoak({ days, sessions, seed, resyncMs: resyncSeconds * 1000, churnPerMinute: churn, sampleEveryMs: sampleMinutes * 60_000, events: opts.events, onProgress: (l) => console.log(`  ${l}`) });
const c = r.churn;
console.log(`churn: ${c.deletesPerMinute} deletes + creates/min, ${c.envChangesPerMinute} env changes/min, pool target 0..${c.poolMax} every ${c.poolEveryMinutes} min, ${c.users} users`);
console.log(`done: ${(r.virtualMs / 86_400_000).toFixed(2)} virtual days in ${(r.wallMs / 1000).toFixed(0)} s wall; ${JSON.stringify(r.stats)}`);
for (const line of formatRows(r.rows)) console.log(line);
if (opts.json) writeFileSync(opts.json, `${JSON.stringify({ days, sessions, seed, resyncSeconds, ...r }, null, 2)}\n`);
if (r.violation) console.log(`FAILED invariant ${r.violation.invariant} (${r.violation.name}) at ${(r.violation.at / 1000).toFixed(3)} s: ${r.violation.message}`);
if (r.failures.length > 0) console.log(`FAILED: ${r.failures.length} size(s) over their bound or without one: ${r.failures.map((f) => f.name).join(', ')}`);
process.exit(r.violation || r.failures.length > 0 ? 1 : 0);
