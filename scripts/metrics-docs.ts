/**
 * The metrics reference, generated from the controller's own registry (name, type, labels,
 * help), so the README's table cannot drift from what /metrics serves.
 */
import { ReconcilerMetrics } from '../src/metrics/reconciler-metrics.js';

export async function metricsMarkdown(): Promise<string> {
  const m = new ReconcilerMetrics({ version: 'docs', defaultMetrics: false });
  const rows: string[] = [];
  for (const metric of m.registry.getMetricsAsArray()) {
    const json = await metric.get();
    const labels = ((metric as unknown as { labelNames?: string[] }).labelNames ?? []).map((l) => `\`${l}\``).join(', ');
    rows.push(`| \`${json.name}\` | ${json.type} | ${labels} | ${json.help.replace(/\|/g, '\\|')} |`);
  }
  rows.sort();
  return ['| Metric | Type | Labels | Meaning |', '| --- | --- | --- | --- |', ...rows, '', 'Plus the Node.js defaults (`process_*`, `nodejs_*`).'].join('\n');
}
