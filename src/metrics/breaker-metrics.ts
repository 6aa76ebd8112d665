/**
 * Circuit-breaker state by dependency, from the breakers' own events (cockatiel style) and,
 * at scrape time, from `state()` (the breaker moves to half-open lazily; state() reports what
 * the next call would see).
 */
import type { BreakerState, DependencyBreaker } from '../controller/resilience/circuit-breaker.js';
import type { BreakerStateLabel, EsrMetrics } from './esr-metrics.js';

export function breakerStateLabel(state: BreakerState): BreakerStateLabel {
  return state === 'halfOpen' ? 'half_open' : state;
}

/** Subscribes to `breaker`'s state changes; returns the unsubscribe function. */
export function observeBreaker(m: EsrMetrics, breaker: DependencyBreaker): () => void {
  m.setBreakerState(breaker.name, breakerStateLabel(breaker.state()));
  m.breakerTransitions.inc({ dependency: breaker.name, state: 'open' }, 0);
  m.breakerTransitions.inc({ dependency: breaker.name, state: 'closed' }, 0);
  m.breakerTransitions.inc({ dependency: breaker.name, state: 'half_open' }, 0);
  return breaker.onStateChange((state) => {
    const label = breakerStateLabel(state);
    m.breakerTransitions.inc({ dependency: breaker.name, state: label });
    m.setBreakerState(breaker.name, label);
  });
}

/** Refreshes the state gauge of every breaker from `state()` (call before a scrape). */
export function refreshBreakers(m: EsrMetrics, breakers: readonly DependencyBreaker[]): void {
  for (const b of breakers) m.setBreakerState(b.name, breakerStateLabel(b.state()));
}
