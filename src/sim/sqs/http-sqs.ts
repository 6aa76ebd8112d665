import type { SimCore } from '../core.js';
import { isSimError, sqsError, type SimError } from '../errors.js';
import type { HttpAnswer } from '../http-types.js';
import { isSqsOperation, SQS_OPERATIONS } from '../ops.js';
import { parseJsonBody, toWire } from '../wire.js';

/** X-Amz-Target prefix of SQS over the AWS JSON 1.0 protocol (what @aws-sdk/client-sqs sends). */
export const SQS_TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * SQS over AWS JSON 1.0: POST / with `X-Amz-Target: AmazonSQS.<Op>` and a JSON body. Errors
 * carry `__type` com.amazonaws.sqs#<Code> and `message` in the body and the legacy query error
 * code in the `x-amzn-query-error` header (SQS Developer Guide, "Interpreting Amazon SQS JSON
 * API responses"). `origin` is this server's URL, used in the queue URLs it hands out.
 */
export async function serveSqs(core: SimCore, target: string, rawBody: string, origin: string, signal: AbortSignal): Promise<HttpAnswer> {
  const op = target.slice(SQS_TARGET_PREFIX.length);
  if (!isSqsOperation(op)) return sqsErrorAnswer(sqsError.unknownOperation(`'${target}' (supported: ${SQS_OPERATIONS.map((o) => SQS_TARGET_PREFIX + o).join(', ')})`));
  let input: unknown;
  try {
    input = parseJsonBody(rawBody);
  } catch (err) {
    return sqsErrorAnswer(sqsError.serialization(`Malformed JSON request body for ${op}: ${(err as Error).message}`));
  }
  try {
    const out = await core.call(op, input as never, { signal, origin });
    return { status: 200, headers: { 'content-type': CONTENT_TYPE }, body: JSON.stringify(toWire(out)) };
  } catch (err) {
    if (isSimError(err)) return sqsErrorAnswer(err);
    if (signal.aborted) throw err;
    return sqsErrorAnswer(sqsError.internal(`Internal simulator error in ${op}: ${(err as Error).message}`));
  }
}

function sqsErrorAnswer(err: SimError): HttpAnswer {
  const { queryError, ...fields } = err.fields as { queryError?: string };
  return {
    status: err.status,
    headers: { 'content-type': CONTENT_TYPE, ...(typeof queryError === 'string' ? { 'x-amzn-query-error': queryError } : {}) },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${err.code}`, message: err.message, ...fields }),
  };
}
