import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { DependencyBreaker, type BreakerState } from '../../../src/controller/resilience/circuit-breaker.js';
import { CircuitOpenError } from '../../../src/controller/resilience/circuit-open-error.js';
import { classify } from '../../../src/observed/aws-errors.js';

const serverError = (): Error => Object.assign(new Error('boom'), { name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
const throttle = (): Error => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
const notFound = (): Error => Object.assign(new Error('The referenced task was not found.'), { name: 'InvalidParameterException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

function setup() {
  const clock = new VirtualClock(0);
  const breaker = new DependencyBreaker({ name: 'ecs', clock, threshold: 3, halfOpenAfterMs: 10_000 });
  const events: string[] = [];
  breaker.onBreak(() => events.push('break'));
  breaker.onReset(() => events.push('reset'));
  breaker.onHalfOpen(() => events.push('halfOpen'));
  const states: BreakerState[] = [];
  breaker.onStateChange((s) => states.push(s));
  const fail = (make: () => Error) => breaker.execute(async () => { throw make(); });
  return { clock, breaker, events, states, fail };
}

describe('DependencyBreaker (cockatiel on the injected clock)', () => {
  it('opens after the threshold of consecutive real faults and then rejects fast with retryAfter', async () => {
    const { clock, breaker, events, fail } = setup();
    for (let i = 0; i < 2; i++) await expect(fail(serverError)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('closed');
    await expect(fail(serverError)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('open');
    expect(events).toEqual(['break']);
    await clock.advance(4000);
    let called = false;
    const err = await breaker.execute(async () => { called = true; }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBe(6000);
    expect(classify(err)).toBe('circuitOpen');
  });

  it('half-opens after the cooldown on virtual time and closes when the probe succeeds', async () => {
    const { clock, breaker, events, states, fail } = setup();
    for (let i = 0; i < 3; i++) await fail(serverError).catch(() => undefined);
    await clock.advance(9999);
    await expect(breaker.execute(async () => 'x')).rejects.toBeInstanceOf(CircuitOpenError);
    await clock.advance(1);
    expect(breaker.state()).toBe('halfOpen');
    // While the probe is in flight, other calls fail fast.
    let release: (v: string) => void = () => undefined;
    const probe = breaker.execute(() => new Promise<string>((r) => { release = r; }));
    await clock.advance(0);
    await expect(breaker.execute(async () => 'other')).rejects.toBeInstanceOf(CircuitOpenError);
    release('ok');
    await expect(probe).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(events).toEqual(['break', 'halfOpen', 'reset']);
    expect(states).toEqual(['open', 'halfOpen', 'closed']);
  });

  it('reopens for another cooldown when the probe fails', async () => {
    const { clock, breaker, fail } = setup();
    for (let i = 0; i < 3; i++) await fail(serverError).catch(() => undefined);
    await clock.advance(10_000);
    await expect(fail(serverError)).rejects.toThrow('boom');
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(10_000);
  });

  it('throttling, not-found and validation errors never trip it', async () => {
    const { breaker, fail } = setup();
    for (let i = 0; i < 10; i++) {
      await expect(fail(throttle)).rejects.toThrow('Rate exceeded');
      await expect(fail(notFound)).rejects.toThrow('not found');
    }
    expect(breaker.state()).toBe('closed');
  });
});
