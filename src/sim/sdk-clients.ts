import { ECSClient } from '@aws-sdk/client-ecs';
import { EFSClient } from '@aws-sdk/client-efs';

/** Static dummy credentials; the simulator does not check signatures. */
export const SIM_CREDENTIALS = { accessKeyId: 'AKIASIMULATOR000000', secretAccessKey: 'simulator-secret-key' };
export const SIM_REGION = 'us-east-1';

export interface SimClients {
  ecs: ECSClient;
  efs: EFSClient;
  destroy(): void;
}

/**
 * Real AWS SDK clients pointed at a simulator URL: region us-east-1, dummy credentials, and
 * `maxAttempts: 1` (no SDK retries, so each call is exactly one request) unless overridden.
 */
export function simClients(url: string, opts: { maxAttempts?: number } = {}): SimClients {
  const common = { endpoint: url, region: SIM_REGION, credentials: SIM_CREDENTIALS, maxAttempts: opts.maxAttempts ?? 1 };
  const ecs = new ECSClient(common);
  const efs = new EFSClient(common);
  return {
    ecs,
    efs,
    destroy: () => {
      ecs.destroy();
      efs.destroy();
    },
  };
}

/** The environment lines that point any AWS SDK or CLI at the simulator. */
export function simEnv(url: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_REGION: SIM_REGION,
    AWS_ACCESS_KEY_ID: SIM_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SIM_CREDENTIALS.secretAccessKey,
  };
}
