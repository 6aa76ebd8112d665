/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs every `bench/*.bench.ts` module in name order.
 * Each module exports `name` and `run({ quick })`, returning rows of figures with their targets
 * (and optionally charts and notes). Writes bench/results/latest.json, REPORT.md and the charts'
 * SVGs; `--quick` writes to bench/results/quick/ instead; `--only` prints and writes nothing,
 * unless `--out DIR` is given: then the scenarios run are written there (a partial report, never
 * over the full one). `--only` takes several names separated by commas (`--only "1 conv,2 contr"`).
 * Targets are reported, never asserted: absolute times on a shared machine are noisy.
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import { normalizeResult, type BenchModule, type BenchRow } from './types.js';
import { writeReport, type ScenarioReport } from './support/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// The AWS SDK's Node 20 notice (its 2027 releases need Node 22+) is noise in benchmark output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1]?.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
  const outIdx = args.indexOf('--out');
  const outArg = outIdx >= 0 ? args[outIdx + 1] : undefined;
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const rows: Array<BenchRow & { scenario: string }> = [];
  const scenarios: ScenarioReport[] = [];
  for (const file of files) {
    const mod = (await import(path.join(here, file))) as BenchModule;
    if (only && !only.some((o) => mod.name.includes(o))) continue;
    console.log(`\n== ${mod.name}${quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    const result = normalizeResult(await mod.run({ quick }));
    scenarios.push({ name: mod.name, ...result });
    for (const row of result.rows) {
      rows.push({ scenario: mod.name, ...row });
      const target = row.target ? `  (target ${row.target})` : '';
      console.log(`  ${row.metric.padEnd(48)} ${String(row.value).padStart(14)} ${row.unit}${target}`);
    }
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(1)} s wall)`);
  }
  // Quick runs write next to, not over, the committed full results.
  const outDir = outArg ? path.resolve(outArg) : quick ? path.join(here, 'results', 'quick') : path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const report = {
    when: new Date().toISOString(),
    quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    rows,
    ...(only ? { command: `npm run bench -- ${args.map((a) => (/[\s,]/.test(a) ? JSON.stringify(a) : a)).join(' ')}` } : {}),
  };
  const jsonName = quick ? 'quick.json' : 'latest.json';
  if (!only || outArg) {
    writeFileSync(path.join(outDir, jsonName), JSON.stringify(report, null, 2) + '\n');
    writeReport(outDir, report, scenarios);
    console.log(`\nwrote ${path.relative(process.cwd(), outDir)}/${jsonName}, REPORT.md and charts`);
  } else {
    console.log('\n--only: results not written (they would be partial)');
  }
}

await main();
