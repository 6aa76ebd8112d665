export * from './types.js';
export { MemorySessionEvents } from './memory-events.js';
export { RedisSessionEvents, sessionEventsKey, type RedisSessionEventsOptions } from './redis-events.js';
export { SessionEventRecorder, type RecorderDeps } from './recorder.js';
export { explainSession, type Explanation, type ExplainInput } from './explain.js';
export { formatDescription, humanDuration, type SessionDescription } from './describe-format.js';
