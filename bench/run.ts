/**
 * `npm run bench [-- --quick] [-- --only NAME]`: runs every `bench/*.bench.ts` module in name order.
 * Each module exports `name` and `run({ quick })`, returning rows of figures with their targets.
 * Targets are reported, never asserted: absolute times on a shared machine are noisy.
 */
import { readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';
import type { BenchModule, BenchRow } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyIdx = args.indexOf('--only');
  const only = onlyIdx >= 0 ? args[onlyIdx + 1] : undefined;
  const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
  const rows: Array<BenchRow & { scenario: string }> = [];
  for (const file of files) {
    const mod = (await import(path.join(here, file))) as BenchModule;
    if (only && !mod.name.includes(only)) continue;
    console.log(`\n== ${mod.name}${quick ? ' (quick)' : ''}`);
    const result = await mod.run({ quick });
    for (const row of result) {
      rows.push({ scenario: mod.name, ...row });
      const target = row.target ? `  (target ${row.target})` : '';
      console.log(`  ${row.metric.padEnd(48)} ${String(row.value).padStart(14)} ${row.unit}${target}`);
    }
  }
  const outDir = path.join(here, 'results');
  mkdirSync(outDir, { recursive: true });
  const report = {
    when: new Date().toISOString(),
    quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    rows,
  };
  writeFileSync(path.join(outDir, quick ? 'quick.json' : 'latest.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(`\nwrote bench/results/${quick ? 'quick' : 'latest'}.json`);
}

await main();
