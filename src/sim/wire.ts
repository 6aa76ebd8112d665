/**
 * Wire encoding shared by the HTTP adapters: the AWS JSON protocols send timestamps as
 * epoch seconds (a number, fractional for milliseconds); everything else is plain JSON.
 */
export function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

/** Parses a request body; an empty body is `{}`. Throws SyntaxError on malformed JSON. */
export function parseJsonBody(raw: string): unknown {
  return raw.trim() === '' ? {} : JSON.parse(raw);
}
