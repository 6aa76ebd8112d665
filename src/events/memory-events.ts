/** In-memory session events (tests, the in-process simulation): same rules as the Redis store. */
import { DEFAULT_MAX_EVENTS_PER_SESSION, mergeEvent, type SessionEvent, type SessionEventInput, type SessionEventReader, type SessionEventSink } from './types.js';

export class MemorySessionEvents implements SessionEventSink, SessionEventReader {
  private readonly bySession = new Map<string, SessionEvent[]>();

  constructor(private readonly opts: { now: () => number; maxPerSession?: number }) {}

  record(sessionId: string, input: SessionEventInput): void {
    const list = this.bySession.get(sessionId) ?? [];
    const { event, repeat } = mergeEvent(list[0], input, this.opts.now());
    if (repeat) list[0] = event;
    else list.unshift(event);
    list.length = Math.min(list.length, this.opts.maxPerSession ?? DEFAULT_MAX_EVENTS_PER_SESSION);
    this.bySession.set(sessionId, list);
  }

  async list(sessionId: string, limit = DEFAULT_MAX_EVENTS_PER_SESSION): Promise<SessionEvent[]> {
    return (this.bySession.get(sessionId) ?? []).slice(0, limit);
  }
}
