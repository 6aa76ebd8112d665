/**
 * The metrics reference, generated from the controller's own registry (name, type, labels,
 * help), so the README's table cannot drift from what /metrics serves.
 */
import { ReconcilerMetrics } from '../src/metrics/reconciler-metrics.js';

export async function metricsMarkdown(): Promise<string> {
  const m = new ReconcilerMetrics({ version: 'docs', defaultMetrics: false });
  const rows: string[] = [];
  for (const metric of m.registry.getMetricsAsArray()) {
    // prom-client's metric objects carry get() and labelNames at run time; its MetricObject type omits them.
    const live = metric as unknown as { get(): Promise<{ name: string; type: string; help: string }>; labelNames?: string[] };
    const json = await live.get();
    const labels = (live.labelNames ?? []).map((l) => `\`${l}\``).join(', ');
    rows.push(`| \`${json.name}\` | ${json.type} | ${labels} | ${json.help.replace(/\|/g, '\\|')} |`);
  }
  rows.sort();
  return ['| Metric | Type | Labels | Meaning |', '| --- | --- | --- | --- |', ...rows, '', 'Plus the Node.js defaults (`process_*`, `nodejs_*`).'].join('\n');
}
