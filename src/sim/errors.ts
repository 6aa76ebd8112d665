/**
 * Errors raised by the simulator core. A SimError carries exactly what the wire needs to
 * make the real AWS SDK raise its typed exception: the AWS error name (`__type` for ECS,
 * `x-amzn-errortype` / `ErrorCode` for EFS), the HTTP status, a message and any extra
 * modelled fields (e.g. EFS `AccessPointId`, ECS `resourceIds`).
 */
export type SimService = 'ecs' | 'efs' | 'sqs';

export class SimError extends Error {
  override readonly name: string;

  constructor(
    /** The AWS error code, e.g. `ThrottlingException`, `AccessPointAlreadyExists`. */
    readonly code: string,
    /** HTTP status of the answer: 4xx for caller faults, 5xx for service faults. */
    readonly status: number,
    message: string,
    /** Extra modelled members to put in the error body (wire names). */
    readonly fields: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = code;
  }

  /** True for throttling answers (callers back off rather than fail). */
  get isThrottling(): boolean {
    return this.code === 'ThrottlingException';
  }
}

export function isSimError(err: unknown): err is SimError {
  return err instanceof SimError;
}

/** ECS-modelled errors. */
export const ecsError = {
  client: (message: string): SimError => new SimError('ClientException', 400, message),
  invalidParameter: (message: string): SimError => new SimError('InvalidParameterException', 400, message),
  server: (message: string): SimError => new SimError('ServerException', 500, message),
  throttling: (message = 'Rate exceeded'): SimError => new SimError('ThrottlingException', 400, message),
  conflict: (message: string, resourceIds: string[]): SimError =>
    new SimError('ConflictException', 400, message, { resourceIds }),
  resourceNotFound: (arn: string): SimError =>
    new SimError('ResourceNotFoundException', 400, `The specified resource could not be found: ${arn}`),
  clusterNotFound: (cluster: string): SimError =>
    new SimError('ClusterNotFoundException', 400, `Cluster not found: ${cluster}`),
  unknownOperation: (op: string): SimError =>
    new SimError('UnknownOperationException', 400, `Unknown or unsupported operation: ${op}`),
  serialization: (message: string): SimError => new SimError('SerializationException', 400, message),
};

/** EFS-modelled errors; the body always carries `ErrorCode` and `Message`. */
export const efsError = {
  badRequest: (message: string): SimError => new SimError('BadRequest', 400, message, { ErrorCode: 'BadRequest' }),
  accessPointAlreadyExists: (message: string, accessPointId: string): SimError =>
    new SimError('AccessPointAlreadyExists', 409, message, {
      ErrorCode: 'AccessPointAlreadyExists',
      AccessPointId: accessPointId,
    }),
  accessPointNotFound: (id: string): SimError =>
    new SimError('AccessPointNotFound', 404, `Access point '${id}' does not exist.`, { ErrorCode: 'AccessPointNotFound' }),
  accessPointLimitExceeded: (fsId: string, limit: number): SimError =>
    new SimError('AccessPointLimitExceeded', 403, `File system '${fsId}' already has ${limit} access points.`, {
      ErrorCode: 'AccessPointLimitExceeded',
    }),
  fileSystemNotFound: (id: string): SimError =>
    new SimError('FileSystemNotFound', 404, `File system '${id}' does not exist.`, { ErrorCode: 'FileSystemNotFound' }),
  internal: (message: string): SimError =>
    new SimError('InternalServerError', 500, message, { ErrorCode: 'InternalServerError' }),
  throttling: (message = 'Rate exceeded'): SimError =>
    new SimError('ThrottlingException', 429, message, { ErrorCode: 'ThrottlingException' }),
  unknownOperation: (what: string): SimError =>
    new SimError('UnknownOperationException', 404, `Unknown or unsupported operation: ${what}`, {
      ErrorCode: 'UnknownOperationException',
    }),
};

/**
 * SQS-modelled errors (AWS JSON 1.0 with query compatibility): `code` is the error shape name
 * (`__type` com.amazonaws.sqs#<code>), `fields.queryError` the `x-amzn-query-error` header value
 * ("<legacy code>;Sender|Receiver"), both as the SDK's error registry lists them.
 */
export const sqsError = {
  queueDoesNotExist: (): SimError =>
    new SimError('QueueDoesNotExist', 400, 'The specified queue does not exist.', { queryError: 'AWS.SimpleQueueService.NonExistentQueue;Sender' }),
  receiptHandleIsInvalid: (handle: string): SimError =>
    new SimError('ReceiptHandleIsInvalid', 404, `The input receipt handle "${handle}" is not a valid receipt handle.`, { queryError: 'ReceiptHandleIsInvalid;Sender' }),
  invalidParameterValue: (message: string): SimError =>
    new SimError('InvalidParameterValue', 400, message, { queryError: 'InvalidParameterValue;Sender' }),
  emptyBatchRequest: (): SimError =>
    new SimError('EmptyBatchRequest', 400, 'There should be at least one entry in the request.', { queryError: 'AWS.SimpleQueueService.EmptyBatchRequest;Sender' }),
  tooManyEntriesInBatchRequest: (n: number): SimError =>
    new SimError('TooManyEntriesInBatchRequest', 400, `Maximum number of entries per request are 10. You have sent ${n}.`, { queryError: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender' }),
  batchEntryIdsNotDistinct: (id: string): SimError =>
    new SimError('BatchEntryIdsNotDistinct', 400, `Id ${id} repeated.`, { queryError: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct;Sender' }),
  invalidBatchEntryId: (id: string): SimError =>
    new SimError('InvalidBatchEntryId', 400, `A batch entry id can only contain alphanumeric characters, hyphens and underscores, at most 80 characters: ${id}`, { queryError: 'AWS.SimpleQueueService.InvalidBatchEntryId;Sender' }),
  internal: (message: string): SimError => new SimError('InternalError', 500, message, { queryError: 'InternalError;Receiver' }),
  throttling: (message = 'Request is throttled.'): SimError => new SimError('RequestThrottled', 403, message, { queryError: 'RequestThrottled;Sender' }),
  unknownOperation: (what: string): SimError =>
    new SimError('UnknownOperationException', 400, `Unknown or unsupported operation: ${what}`, { queryError: 'InvalidAction;Sender' }),
  serialization: (message: string): SimError => new SimError('SerializationException', 400, message, { queryError: 'MalformedQueryString;Sender' }),
};

/** The error a service answers with during an outage window or an injected 5xx fault. */
export function serviceFault(service: SimService, message: string): SimError {
  if (service === 'sqs') return sqsError.internal(message);
  return service === 'ecs' ? ecsError.server(message) : efsError.internal(message);
}

export function throttled(service: SimService, message?: string): SimError {
  if (service === 'sqs') return sqsError.throttling(message);
  return service === 'ecs' ? ecsError.throttling(message) : efsError.throttling(message);
}
