import { ECS_OPERATIONS, isEcsOperation } from './ops.js';
import { ecsError, isSimError, type SimError } from './errors.js';
import type { SimCore } from './core.js';
import { parseJsonBody, toWire } from './wire.js';
import type { HttpAnswer } from './http-types.js';

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** ECS over AWS JSON 1.1: POST / with `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Op>`. */
export async function serveEcs(core: SimCore, target: string, rawBody: string, signal: AbortSignal): Promise<HttpAnswer> {
  const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
  if (!target.startsWith(TARGET_PREFIX) || !isEcsOperation(op)) {
    return ecsErrorAnswer(
      ecsError.unknownOperation(`'${target}' (supported: ${ECS_OPERATIONS.map((o) => TARGET_PREFIX + o).join(', ')})`),
    );
  }
  let input: unknown;
  try {
    input = parseJsonBody(rawBody);
  } catch (err) {
    return ecsErrorAnswer(ecsError.serialization(`Malformed JSON request body for ${op}: ${(err as Error).message}`));
  }
  try {
    const out = await core.call(op, input as never, { signal });
    return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(toWire(out)) };
  } catch (err) {
    if (isSimError(err)) return ecsErrorAnswer(err);
    if (signal.aborted) throw err;
    return ecsErrorAnswer(ecsError.server(`Internal simulator error in ${op}: ${(err as Error).message}`));
  }
}

export function ecsErrorAnswer(err: SimError): HttpAnswer {
  return {
    status: err.status,
    headers: { 'content-type': CONTENT_TYPE },
    body: JSON.stringify({ __type: err.code, message: err.message, ...err.fields }),
  };
}
