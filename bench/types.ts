import type { LineChart } from './support/svg.js';

/** One figure a benchmark reports; `target` is the goal stated in the issue, for the reader. */
export interface BenchRow {
  metric: string;
  value: number | string;
  unit: string;
  target?: string;
}

/** A chart for the Markdown report; `id` names its SVG file (bench/results/<id>.svg). */
export interface BenchChart extends LineChart {
  id: string;
}

/** What a benchmark returns: its rows, and optionally charts and notes for the report. */
export type BenchResult = BenchRow[] | { rows: BenchRow[]; charts?: BenchChart[]; notes?: string[] };

export interface BenchModule {
  name: string;
  run(opts: { quick: boolean }): Promise<BenchResult>;
}

/** Rows, charts and notes of a result in either form. */
export function normalizeResult(r: BenchResult): { rows: BenchRow[]; charts: BenchChart[]; notes: string[] } {
  return Array.isArray(r) ? { rows: r, charts: [], notes: [] } : { rows: r.rows, charts: r.charts ?? [], notes: r.notes ?? [] };
}
