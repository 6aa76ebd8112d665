/**
 * Wire encoding shared by the HTTP adapters: the AWS JSON protocols send timestamps as
 * epoch seconds (a number, fractional for milliseconds); everything else is plain JSON.
 * `date` encodes timestamps otherwise (events carry ISO-8601 strings); undefined members are dropped.
 */
export function toWire(value: unknown, date: (d: Date) => unknown = (d) => d.getTime() / 1000): unknown {
  if (value instanceof Date) return date(value);
  if (Array.isArray(value)) return value.map((v) => toWire(v, date));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v, date);
    return out;
  }
  return value;
}

/** Parses a request body; an empty body is `{}`. Throws SyntaxError on malformed JSON. */
export function parseJsonBody(raw: string): unknown {
  return raw.trim() === '' ? {} : JSON.parse(raw);
}
