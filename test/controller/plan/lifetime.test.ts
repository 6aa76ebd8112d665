import { describe, expect, it } from 'vitest';
import { dueExpiries, effectiveBound, sessionExpiry, type LifetimeLimits } from '../../../src/controller/plan/lifetime.js';

const none: LifetimeLimits = { idleTimeoutSeconds: 0, idleTimeoutMaxSeconds: 0, maxLifetimeSeconds: 0, maxLifetimeMaxSeconds: 0 };
const T = 1_700_000_000_000;

describe('lifetime bounds', () => {
  it.each([
    { asked: undefined, dflt: 0, max: 0, want: 0, why: 'no default, no cap: no bound' },
    { asked: undefined, dflt: 600, max: 0, want: 600, why: 'the default applies to a spec without one' },
    { asked: 60, dflt: 600, max: 0, want: 60, why: 'the spec wins over the default' },
    { asked: 0, dflt: 600, max: 0, want: 0, why: 'the spec asks for none, allowed without a cap' },
    { asked: 0, dflt: 600, max: 3600, want: 3600, why: 'none is not granted under a cap: the cap applies' },
    { asked: 7200, dflt: 600, max: 3600, want: 3600, why: 'more than the cap: capped' },
  ])('$why', ({ asked, dflt, max, want }) => {
    expect(effectiveBound(asked, dflt, max)).toBe(want);
  });

  it('expires at the earlier bound: idle from the later of the last touch and the start; max from the start', () => {
    const spec = { createdAt: T, lifetime: { idleTimeoutSeconds: 60, maxLifetimeSeconds: 300 } };
    expect(sessionExpiry(spec, undefined, none)).toEqual({ at: T + 60_000, reason: 'IdleTimeout', activity: 0 });
    expect(sessionExpiry(spec, T - 10_000, none)).toEqual({ at: T + 60_000, reason: 'IdleTimeout', activity: T - 10_000 }); // a touch of an earlier life
    expect(sessionExpiry(spec, T + 100_000, none)).toEqual({ at: T + 160_000, reason: 'IdleTimeout', activity: T + 100_000 });
    expect(sessionExpiry(spec, T + 280_000, none)).toEqual({ at: T + 300_000, reason: 'MaxLifetimeExceeded', activity: T + 280_000 }); // touches never pass the maximum
    expect(sessionExpiry({ createdAt: T }, undefined, none)).toBeUndefined();
  });

  it('counts the sessions due at a moment, skipping deleted and already Expired ones', () => {
    const spec = (over: object) => ({ schemaVersion: 1 as const, id: 'x', userId: 'u', template: 't', env: {}, persistence: 'none' as const, labels: {}, generation: 1, deleted: false, createdAt: T, updatedAt: T, lifetime: { idleTimeoutSeconds: 10 }, ...over });
    const expired = { schemaVersion: 1 as const, phase: 'Expired' as const, observedGeneration: 1, incarnation: 1, conditions: [], warm: false, attempts: 0, updatedAt: T };
    const entries = [{ spec: spec({}) }, { spec: spec({ deleted: true }) }, { spec: spec({}), status: expired }, { spec: spec({}), lastActivityAt: T + 60_000 }];
    expect(dueExpiries(entries, none, T + 20_000)).toBe(1);
  });
});
