/**
 * Scrapes /metrics of a controller wired as in production (real Redis, simulator over HTTP)
 * after a scripted scenario, and checks series and values.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DRIFT_KIND_NAMES } from '../../src/controller/plan/drift.js';
import { eventually } from '../support/stack.js';
import { parseExposition, sample, startObservedStack, type ObservedStack } from '../app/observed-stack.js';

const stacks: ObservedStack[] = [];
afterEach(async () => {
  for (const s of stacks.splice(0)) await s.stop();
});

async function scrape(s: ObservedStack): Promise<Map<string, number>> {
  const res = await fetch(`${s.http.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parseExposition(await res.text());
}

describe('/metrics after a scripted scenario', () => {
  it('exposes every counter at 0 before any work', async () => {
    const s = await startObservedStack({ start: false });
    stacks.push(s);
    const m = await scrape(s);
    for (const kind of DRIFT_KIND_NAMES) expect(sample(m, 'esr_drift_detected_total', { kind })).toBe(0);
    expect(sample(m, 'controller_runtime_reconcile_total', { controller: 'session', result: 'success' })).toBe(0);
    expect(sample(m, 'controller_runtime_reconcile_errors_total', { controller: 'session' })).toBe(0);
    expect(sample(m, 'esr_aws_requests_total', { service: 'ecs', operation: 'RunTask', outcome: 'throttled' })).toBe(0);
    expect(sample(m, 'esr_aws_requests_total', { service: 'efs', operation: 'CreateAccessPoint', outcome: 'rejected_by_breaker' })).toBe(0);
    expect(sample(m, 'esr_actions_total', { type: 'launch', result: 'error' })).toBe(0);
    expect(sample(m, 'esr_warm_claims_total', { result: 'hit' })).toBe(0);
    expect(sample(m, 'esr_circuit_breaker_state', { dependency: 'ecs', state: 'closed' })).toBe(1);
    expect(sample(m, 'esr_circuit_breaker_state', { dependency: 'ecs', state: 'open' })).toBe(0);
    expect(sample(m, 'esr_safety_brake_engaged', { brake: 'desired-state' })).toBe(0);
    expect(sample(m, 'leader_election_master_status', { name: 'esr-reconciler' })).toBe(1);
    expect(sample(m, 'esr_build_info', { version: '0.0.0-test', node: process.version })).toBe(1);
    expect([...m.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total'))).toBe(true);
    expect([...m.keys()].some((k) => k.startsWith('nodejs_eventloop_lag'))).toBe(true);
  });

  it('counts the launches of 3 new sessions: reconciles, drift, AWS calls, phases, start latency', async () => {
    const s = await startObservedStack();
    stacks.push(s);
    const ids = ['m1', 'm2', 'm3'];
    for (const id of ids) await s.client.ensureSession({ id, userId: `u-${id}`, template: 'shell', persistence: 'none' });
    await eventually('3 sessions Running', () => ids.every((id) => s.daemon.controller.cache.sessions.get(id)?.status?.phase === 'Running'), 20_000);
    await eventually('start latency observed', async () => sample(await scrape(s), 'esr_session_start_seconds_count', { path: 'cold' }) === 3, 5_000);
    const m = await scrape(s);
    expect(sample(m, 'controller_runtime_reconcile_total', { controller: 'session', result: 'success' })).toBeGreaterThan(0);
    expect(sample(m, 'controller_runtime_reconcile_errors_total', { controller: 'session' })).toBe(0);
    expect(sample(m, 'esr_drift_detected_total', { kind: 'MissingTask' })).toBe(3);
    expect(sample(m, 'esr_actions_total', { type: 'launch', result: 'ok' })).toBe(3);
    expect(sample(m, 'esr_aws_requests_total', { service: 'ecs', operation: 'RunTask', outcome: 'ok' })).toBe(3);
    expect(sample(m, 'esr_aws_request_duration_seconds_count', { service: 'ecs', operation: 'RunTask' })).toBe(3);
    expect(sample(m, 'esr_sessions', { phase: 'Running' })).toBe(3);
    expect(sample(m, 'esr_sessions', { phase: 'Pending' })).toBe(0);
    expect(sample(m, 'esr_sessions_desired')).toBe(3);
    expect(sample(m, 'esr_sessions_unconverged_oldest_seconds')).toBe(0);
    expect(sample(m, 'workqueue_adds_total', { name: 'sessions' })).toBeGreaterThanOrEqual(3);
    expect(sample(m, 'workqueue_work_duration_seconds_count', { name: 'sessions' })).toBeGreaterThan(0);
    expect(sample(m, 'controller_runtime_reconcile_time_seconds_count', { controller: 'session' })).toBeGreaterThan(0);
    expect(sample(m, 'controller_runtime_max_concurrent_reconciles', { controller: 'session' })).toBe(s.daemon.config.workers);
    const startSum = sample(m, 'esr_session_start_seconds_sum', { path: 'cold' })!;
    expect(startSum).toBeGreaterThan(0);
    expect(startSum).toBeLessThan(3 * 20);
    // No ids in labels: no session id appears anywhere in the exposition.
    const text = await (await fetch(`${s.http.url}/metrics`)).text();
    for (const id of ids) expect(text).not.toContain(`"${id}"`);
  });

  it('counts warm claims (hit) and cold starts that an empty pool forced (miss), with warm start latency', async () => {
    const s = await startObservedStack({ env: { RECONCILER_POOLS: JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 5 } }) } });
    stacks.push(s);
    await s.client.setWarmPoolTarget('shell-warm', 2, { template: 'shell' });
    const cachedWarmRunning = () => [...s.daemon.controller.cache.tasks.values()].filter((t) => t.tags['esr:role'] === 'warm' && t.lastStatus === 'RUNNING').length;
    await eventually('the controller sees 2 warm tasks RUNNING', () => cachedWarmRunning() === 2, 20_000);
    for (const id of ['h1', 'h2', 'h3']) await s.client.ensureSession({ id, userId: id, template: 'shell', persistence: 'none' });
    await eventually('3 Running', () => ['h1', 'h2', 'h3'].every((id) => s.daemon.controller.cache.sessions.get(id)?.status?.phase === 'Running'), 20_000);
    await eventually('claims counted', async () => {
      const m = await scrape(s);
      return (sample(m, 'esr_warm_claims_total', { result: 'hit' }) ?? 0) + (sample(m, 'esr_warm_claims_total', { result: 'miss' }) ?? 0) === 3;
    }, 5_000);
    const m = await scrape(s);
    expect(sample(m, 'esr_warm_claims_total', { result: 'hit' })).toBe(2);
    expect(sample(m, 'esr_warm_claims_total', { result: 'miss' })).toBe(1);
    expect([...s.daemon.controller.cache.sessions.values()].filter((e) => e.status?.warm)).toHaveLength(2);
    await eventually('warm start latency observed', async () => sample(await scrape(s), 'esr_session_start_seconds_count', { path: 'warm' }) === 2, 5_000);
  });
});
