/**
 * `esr_warm_pool_target` reads the target the controller works towards (the gateway's, capped by
 * the pool's maxSize), the number the plan uses, for configured pools only.
 */
import { describe, expect, it } from 'vitest';
import type { DesiredSnapshot, PoolEntry } from '../../src/desired/types.js';
import { SCHEMA_VERSION } from '../../src/desired/schema.js';
import { ReconcilerMetrics } from '../../src/metrics/reconciler-metrics.js';
import { T0 } from '../fixtures/builders.js';

function snapshotWith(pools: Array<[string, number]>): DesiredSnapshot {
  const entries = new Map<string, PoolEntry>(pools.map(([name, target]) => [name, { name, spec: { schemaVersion: SCHEMA_VERSION, name, template: 'shell', target, generation: 1, updatedAt: T0 } }]));
  return { sessions: new Map(), pools: entries, readAt: T0, cursor: { id: '0-0', seq: 0 }, marker: undefined, invalidCount: 0 };
}

async function targets(m: ReconcilerMetrics): Promise<Record<string, number>> {
  const json = await m.registry.getSingleMetric('esr_warm_pool_target')!.get();
  return Object.fromEntries(json.values.map((v) => [String(v.labels['pool']), v.value]));
}

describe('esr_warm_pool_target', () => {
  it('is capped by maxSize, 0 for a configured pool without a target, and absent for a pool only the gateway names', async () => {
    const m = new ReconcilerMetrics({ version: 'test', defaultMetrics: false });
    m.setPoolConfig({ small: { template: 'shell', maxSize: 10 }, big: { template: 'shell', maxSize: 100 }, idle: { template: 'shell', maxSize: 5 } });
    m.onDesiredSnapshot(snapshotWith([['small', 20], ['big', 20], ['stray', 5]]));
    expect(await targets(m)).toEqual({ small: 10, big: 20, idle: 0 });
  });

  it('has no series when no pool configuration is known', async () => {
    const m = new ReconcilerMetrics({ version: 'test', defaultMetrics: false });
    m.onDesiredSnapshot(snapshotWith([['small', 20]]));
    expect(await targets(m)).toEqual({});
  });
});
