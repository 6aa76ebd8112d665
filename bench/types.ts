/** One figure a benchmark reports; `target` is the goal stated in the issue, for the reader. */
export interface BenchRow {
  metric: string;
  value: number | string;
  unit: string;
  target?: string;
}

export interface BenchModule {
  name: string;
  run(opts: { quick: boolean }): Promise<BenchRow[]>;
}
