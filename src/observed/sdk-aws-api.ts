/**
 * The production AwsApi: real SDK clients behind the narrow interface. The clients are built
 * elsewhere (aws-clients.ts: region, endpoints from AWS_ENDPOINT_URL[_ECS|_EFS], credentials,
 * retry policy); this only adapts them. Each call passes the caller's AbortSignal to `send`.
 */
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EFSClient } from '@aws-sdk/client-efs';
import type { AwsApi } from './aws-api.js';
import { SdkEcsApi } from './sdk-ecs-api.js';
import { SdkEfsApi } from './sdk-efs-api.js';

export class SdkAwsApi implements AwsApi {
  readonly ecs: SdkEcsApi;
  readonly efs: SdkEfsApi;

  constructor(clients: { readonly ecs: ECSClient; readonly efs: EFSClient }) {
    this.ecs = new SdkEcsApi(clients.ecs);
    this.efs = new SdkEfsApi(clients.efs);
  }
}
