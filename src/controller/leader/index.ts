/** Leader election with fencing: the Redis lease, the mutation gate, and the readiness port. */
export * from './leader-elector.js';
export * from './lease-gate.js';
export * from './lease-scripts.js';
export * from './leadership-probe.js';
export * from './lease-gated-writes.js';
