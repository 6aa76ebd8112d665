/**
 * Errors raised by the simulator core. A SimError carries exactly what the wire needs to
 * make the real AWS SDK raise its typed exception: the AWS error name (`__type` for ECS,
 * `x-amzn-errortype` / `ErrorCode` for EFS), the HTTP status, a message and any extra
 * modelled fields (e.g. EFS `AccessPointId`, ECS `resourceIds`).
 */
export type SimService = 'ecs' | 'efs';

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

/** The error a service answers with during an outage window or an injected 5xx fault. */
export function serviceFault(service: SimService, message: string): SimError {
  return service === 'ecs' ? ecsError.server(message) : efsError.internal(message);
}

export function throttled(service: SimService, message?: string): SimError {
  return service === 'ecs' ? ecsError.throttling(message) : efsError.throttling(message);
}
