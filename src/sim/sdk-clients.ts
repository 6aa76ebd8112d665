import { createAwsClients, type AwsClients } from '../observed/aws-clients.js';

/** Static dummy credentials; the simulator does not check signatures. */
export const SIM_CREDENTIALS = { accessKeyId: 'AKIASIMULATOR000000', secretAccessKey: 'simulator-secret-key' };
export const SIM_REGION = 'us-east-1';

export type SimClients = AwsClients;

/**
 * Real AWS SDK clients pointed at a simulator URL: region us-east-1, dummy credentials, and
 * `maxAttempts: 1` (no SDK retries, so each call is exactly one request) unless overridden.
 */
export function simClients(url: string, opts: { maxAttempts?: number } = {}): SimClients {
  return createAwsClients({ endpoint: url, region: SIM_REGION, credentials: SIM_CREDENTIALS, maxAttempts: opts.maxAttempts ?? 1 });
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
