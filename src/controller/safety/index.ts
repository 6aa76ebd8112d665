/** Safety brakes: stop budget, desired-state brake (with operator release), the composed StopGate. */
export * from './brake-release.js';
export * from './desired-count.js';
export * from './desired-state-brake.js';
export * from './safety-stop-gate.js';
export * from './stop-budget.js';
export * from './safety-wiring.js';
