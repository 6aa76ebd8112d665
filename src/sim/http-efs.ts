import { SimError, efsError, isSimError } from './errors.js';
import type { SimCore } from './core.js';
import type { EfsOperation } from './ops.js';
import { parseJsonBody } from './wire.js';
import type { HttpAnswer } from './http-types.js';

const BASE = '/2015-02-01';

interface Route {
  op: EfsOperation;
  input: Record<string, unknown>;
  /** Status of a successful answer (DeleteAccessPoint: 204 with no body). */
  okStatus: number;
}

/** Query numbers arrive as text; a non-numeric value is passed on so validation reports it. */
function num(v: string | null): number | string | undefined {
  if (v === null) return undefined;
  return /^\d+$/.test(v) ? Number(v) : v;
}

function opt(v: string | null): string | undefined {
  return v === null ? undefined : v;
}

/** Maps an EFS REST-JSON request to an operation; undefined when nothing matches. Throws BadRequest on a bad body. */
function route(method: string, url: URL, rawBody: string): Route | undefined {
  const path = url.pathname.replace(/\/+$/, '');
  const q = url.searchParams;
  const body = (): Record<string, unknown> => {
    let v: unknown;
    try {
      v = parseJsonBody(rawBody);
    } catch (err) {
      throw new SimError('BadRequest', 400, `Malformed JSON request body: ${(err as Error).message}`, { ErrorCode: 'BadRequest' }, { cause: err });
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw efsError.badRequest('The request body must be a JSON object.');
    return v as Record<string, unknown>;
  };
  if (path === `${BASE}/access-points`) {
    if (method === 'POST') return { op: 'CreateAccessPoint', input: body(), okStatus: 200 };
    if (method === 'GET') {
      return {
        op: 'DescribeAccessPoints',
        input: { MaxResults: num(q.get('MaxResults')), NextToken: opt(q.get('NextToken')), AccessPointId: opt(q.get('AccessPointId')), FileSystemId: opt(q.get('FileSystemId')) },
        okStatus: 200,
      };
    }
  }
  const ap = new RegExp(`^${BASE}/access-points/([^/]+)$`).exec(path);
  if (ap && method === 'DELETE') return { op: 'DeleteAccessPoint', input: { AccessPointId: decodeURIComponent(ap[1]!) }, okStatus: 204 };
  const tags = new RegExp(`^${BASE}/resource-tags/([^/]+)$`).exec(path);
  if (tags) {
    const ResourceId = decodeURIComponent(tags[1]!);
    if (method === 'GET') return { op: 'EfsListTagsForResource', input: { ResourceId, MaxResults: num(q.get('MaxResults')), NextToken: opt(q.get('NextToken')) }, okStatus: 200 };
    if (method === 'POST') return { op: 'EfsTagResource', input: { ...body(), ResourceId }, okStatus: 200 };
    if (method === 'DELETE') return { op: 'EfsUntagResource', input: { ResourceId, TagKeys: q.getAll('tagKeys') }, okStatus: 200 };
  }
  return undefined;
}

/** EFS over REST-JSON: paths under /2015-02-01/. */
export async function serveEfs(core: SimCore, method: string, url: URL, rawBody: string, signal: AbortSignal): Promise<HttpAnswer> {
  let r: Route | undefined;
  try {
    r = route(method, url, rawBody);
  } catch (err) {
    if (isSimError(err)) return efsErrorAnswer(err);
    throw err;
  }
  if (!r) return efsErrorAnswer(efsError.unknownOperation(`${method} ${url.pathname}`));
  for (const k of Object.keys(r.input)) if (r.input[k] === undefined) delete r.input[k];
  try {
    const out = await core.call(r.op, r.input as never, { signal });
    if (r.okStatus === 204) return { status: 204, headers: {}, body: '' };
    return { status: r.okStatus, headers: { 'content-type': 'application/json' }, body: JSON.stringify(out) };
  } catch (err) {
    if (isSimError(err)) return efsErrorAnswer(err);
    if (signal.aborted) throw err;
    return efsErrorAnswer(efsError.internal(`Internal simulator error in ${r.op}: ${(err as Error).message}`));
  }
}

export function efsErrorAnswer(err: SimError): HttpAnswer {
  return {
    status: err.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code },
    body: JSON.stringify({ ErrorCode: err.code, Message: err.message, ...err.fields }),
  };
}
