/**
 * Errors shaped like AWS SDK v3 service exceptions (`name`, `$fault`, `$metadata.httpStatusCode`,
 * plus service fields such as `AccessPointId`), so the in-process simulator adapter fails the way
 * the real clients do and the shared classifier (aws-errors.ts) treats both identically.
 */
export interface AwsLikeError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };
  readonly [field: string]: unknown;
}

export function awsError(
  name: string,
  message: string,
  opts: { fault?: 'client' | 'server'; status?: number; fields?: Record<string, unknown> } = {},
): AwsLikeError {
  const err = new Error(message) as Error & Record<string, unknown>;
  err.name = name;
  err['$fault'] = opts.fault ?? 'client';
  err['$metadata'] = { httpStatusCode: opts.status ?? (opts.fault === 'server' ? 500 : 400) };
  for (const [k, v] of Object.entries(opts.fields ?? {})) err[k] = v;
  return err as AwsLikeError;
}

/** Throws the signal's reason (or an AbortError) when `signal` is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error) throw reason;
  const err = new Error('The operation was aborted', { cause: reason });
  err.name = 'AbortError';
  throw err;
}
