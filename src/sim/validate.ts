import { z } from 'zod';
import { SimError, type SimService } from './errors.js';

/**
 * Validates an operation's input the way AWS reports it: one message listing every
 * violation ("2 validation errors detected: ..."). ECS answers InvalidParameterException,
 * EFS answers BadRequest, SQS InvalidParameterValue; all are HTTP 400, with the zod error as `cause`.
 */
export function parseInput<S extends z.ZodType>(service: SimService, op: string, schema: S, input: unknown): z.output<S> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw validationError(service, `${op}: the request body must be a JSON object`);
  }
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `at '${i.path.length ? i.path.join('.') : '(request)'}' ${i.message}`);
  const n = lines.length;
  throw validationError(service, `${n} validation error${n === 1 ? '' : 's'} detected in ${op}: ${lines.join('; ')}`, r.error);
}

function validationError(service: SimService, msg: string, cause?: unknown): SimError {
  if (service === 'sqs') return new SimError('InvalidParameterValue', 400, msg, { queryError: 'InvalidParameterValue;Sender' }, { cause });
  return service === 'ecs'
    ? new SimError('InvalidParameterException', 400, msg, {}, { cause })
    : new SimError('BadRequest', 400, msg, { ErrorCode: 'BadRequest' }, { cause });
}

/** An ECS tag list: at most 50, keys 1-128 chars, values 0-256 chars. */
export const ecsTags = z
  .array(z.object({ key: z.string().min(1).max(128), value: z.string().max(256).default('') }))
  .max(50);

/** An EFS tag list (PascalCase members). */
export const efsTags = z.array(z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) })).max(50);
