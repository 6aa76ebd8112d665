/**
 * deploy/prometheus and deploy/grafana: promtool checks and unit-tests the alert rules; every
 * metric name the rules and the dashboard use is one the reconciler exports.
 * Needs `promtool` on PATH (Debian: `apt-get install prometheus`); fails clearly without it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReconcilerMetrics } from '../../src/metrics/reconciler-metrics.js';

const RULES_DIR = new URL('../../deploy/prometheus/', import.meta.url).pathname;
const DASHBOARD = new URL('../../deploy/grafana/esr-reconciler.json', import.meta.url).pathname;

function promtool(args: string[]): string {
  const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
  if (probe.error) throw new Error('promtool is not on PATH: install Debian\'s `prometheus` package (apt-get install prometheus)', { cause: probe.error });
  try {
    return execFileSync('promtool', args, { cwd: RULES_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`, { cause: err });
  }
}

/** Metric names the registry exposes, with histogram series suffixes. */
async function exportedNames(): Promise<Set<string>> {
  const m = new ReconcilerMetrics({ version: 'test', defaultMetrics: false });
  const names = new Set<string>(['up']);
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(metric.name + s);
  }
  m.close();
  return names;
}

function metricNamesIn(expr: string): string[] {
  const stripped = expr.replace(/\{[^}]*\}/g, '').replace(/"[^"]*"/g, '');
  const words = stripped.match(/[a-z_][a-z0-9_]*/g) ?? [];
  return words.filter((w) => /^(esr_|controller_runtime_|workqueue_|leader_election_|up$)/.test(w));
}

describe('Prometheus alert rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool(['check', 'rules', 'alerts.yml'])).toContain('SUCCESS: 12 rules found');
  });

  it('pass their promtool unit tests', () => {
    expect(promtool(['test', 'rules', 'alerts.test.yml'])).toContain('SUCCESS');
  });

  it('every alert has severity, summary, description, runbook_url and a unit test', () => {
    const rules = readFileSync(`${RULES_DIR}alerts.yml`, 'utf8');
    const tests = readFileSync(`${RULES_DIR}alerts.test.yml`, 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBe(12);
    for (const name of alerts) {
      const block = rules.slice(rules.indexOf(`alert: ${name}`)).split('- alert:')[0]!;
      for (const field of ['severity:', 'summary:', 'description:', 'runbook_url:']) expect(block, `${name} ${field}`).toContain(field);
      expect(tests, `unit test for ${name}`).toContain(`alertname: ${name}`);
    }
  });

  it('use only metric names the reconciler exports', async () => {
    const names = await exportedNames();
    const rules = readFileSync(`${RULES_DIR}alerts.yml`, 'utf8');
    const exprs = [...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!);
    const used = exprs.flatMap(metricNamesIn);
    expect(used.length).toBeGreaterThan(8);
    for (const n of used) expect(names, n).toContain(n);
  });
});

describe('Grafana dashboard', () => {
  const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    __inputs: Array<{ name: string; pluginId: string }>;
    panels: Array<{ title: string; targets: Array<{ expr: string; datasource: { uid: string } }> }>;
  };

  it('has a fixed uid, a datasource input, and $__rate_interval in every rate', () => {
    expect(dash.uid).toBe('esr-reconciler');
    expect(dash.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    for (const p of dash.panels) {
      for (const t of p.targets) {
        expect(t.datasource.uid).toBe('${DS_PROMETHEUS}');
        for (const m of t.expr.matchAll(/(rate|increase)\([^[]*\[([^\]]+)\]/g)) expect(m[2], `${p.title}: ${t.expr}`).toBe('$__rate_interval');
      }
    }
  });

  it('covers the panels the issue lists, with exported metrics only', async () => {
    const titles = dash.panels.map((p) => p.title.toLowerCase()).join(' | ');
    for (const want of ['reconciles', 'errors', 'duration', 'queue depth', 'queue latency', 'aws calls', 'throttles', 'breaker', 'warm pool vs target', 'session start latency']) expect(titles).toContain(want);
    const names = await exportedNames();
    for (const p of dash.panels) for (const t of p.targets) for (const n of metricNamesIn(t.expr)) expect(names, `${p.title}: ${n}`).toContain(n);
  });
});
