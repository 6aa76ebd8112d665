import { describe, expect, it } from 'vitest';
import { SessionSpecInputSchema, SessionSpecSchema, SessionStatusSchema, isReady } from '../../src/desired/schema.js';

describe('schema', () => {
  it('applies defaults to a minimal spec input', () => {
    const r = SessionSpecInputSchema.parse({ id: 's1', userId: 'u1', template: 'shell' });
    expect(r).toEqual({ id: 's1', userId: 'u1', template: 'shell', env: {}, persistence: 'preferred', labels: {} });
  });

  it.each([
    ['id too long', { id: 'a'.repeat(49) }, 'id'],
    ['id uppercase', { id: 'Abc' }, 'id'],
    ['reserved env', { env: { AWS_REGION: 'x' } }, 'env'],
    ['bad env name', { env: { '1X': 'x' } }, 'env'],
    ['oversize env value', { env: { X: 'v'.repeat(5000) } }, 'env'],
    ['bad persistence', { persistence: 'maybe' }, 'persistence'],
    ['unknown field', { image: 'evil:latest' }, ''],
  ])('rejects %s', (_name, override, field) => {
    const r = SessionSpecInputSchema.safeParse({ id: 's1', userId: 'u1', template: 'shell', ...override });
    expect(r.success).toBe(false);
    if (!r.success && field) expect(String(r.error.issues[0]?.path[0])).toBe(field);
  });

  it('requires the current schema version on stored records', () => {
    const spec = { schemaVersion: 2, id: 's1', userId: 'u', template: 't', env: {}, persistence: 'none', labels: {}, generation: 1, deleted: false, createdAt: 1, updatedAt: 1 };
    expect(SessionSpecSchema.safeParse(spec).success).toBe(false);
    expect(SessionSpecSchema.safeParse({ ...spec, schemaVersion: 1 }).success).toBe(true);
  });

  it('isReady needs Running, an endpoint and Ready=True', () => {
    const base = SessionStatusSchema.parse({ schemaVersion: 1, phase: 'Running', observedGeneration: 1, incarnation: 1, conditions: [], warm: false, attempts: 1, updatedAt: 1 });
    expect(isReady(base)).toBe(false);
    const ready = { ...base, endpoint: { ip: '10.0.0.1', port: 7000 }, conditions: [{ type: 'Ready', status: 'True' as const, reason: 'TaskRunning', message: '', lastTransitionTime: 1 }] };
    expect(isReady(ready)).toBe(true);
    expect(isReady({ ...ready, phase: 'Stopping' })).toBe(false);
  });
});
