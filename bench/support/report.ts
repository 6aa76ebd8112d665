/**
 * Writes the Markdown report (REPORT.md) and its SVG charts from the runner's results: one
 * section per scenario with its table (figure, value, unit, target) and notes, then its charts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BenchChart, BenchRow } from '../types.js';
import { renderLineChart } from './svg.js';

export interface ScenarioReport {
  name: string;
  rows: BenchRow[];
  charts: BenchChart[];
  notes: string[];
}

export interface ReportMeta {
  when: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string | undefined; memGiB: number; node: string };
  /** The command that produced it, when not the plain full run (e.g. a partial `--only ... --out` run). */
  command?: string;
}

const cell = (v: unknown): string => String(v ?? '').replace(/\|/g, '\\|');

/** The report as Markdown text; charts are linked as `<id>.svg` next to it. */
export function renderReport(meta: ReportMeta, scenarios: readonly ScenarioReport[]): string {
  const m = meta.machine;
  const out: string[] = [
    `# Benchmark report${meta.quick ? ' (quick)' : ''}`,
    '',
    `Generated ${meta.when} by \`${meta.command ?? `npm run bench${meta.quick ? ' -- --quick' : ''}`}\` on ${m.cpus} CPU(s) (${m.cpuModel ?? 'unknown CPU'}), ${m.memGiB} GiB RAM, Node ${m.node}.`,
    'Targets are reported, not asserted. Virtual-time scenarios run the real controller in-process on a virtual clock against the ECS simulator; their times are virtual seconds and do not depend on the machine.',
    '',
  ];
  for (const s of scenarios) {
    out.push(`## ${s.name}`, '', '| figure | value | unit | target |', '|---|---:|---|---|');
    for (const r of s.rows) out.push(`| ${cell(r.metric)} | ${cell(r.value)} | ${cell(r.unit)} | ${cell(r.target)} |`);
    out.push('');
    for (const n of s.notes) out.push(`- ${n}`);
    if (s.notes.length > 0) out.push('');
    for (const c of s.charts) out.push(`![${c.title}](${c.id}.svg)`, '');
  }
  return out.join('\n');
}

/** Writes REPORT.md and every chart's SVG into `dir`. */
export function writeReport(dir: string, meta: ReportMeta, scenarios: readonly ScenarioReport[]): void {
  for (const s of scenarios) for (const c of s.charts) writeFileSync(path.join(dir, `${c.id}.svg`), renderLineChart(c));
  writeFileSync(path.join(dir, 'REPORT.md'), renderReport(meta, scenarios));
}
