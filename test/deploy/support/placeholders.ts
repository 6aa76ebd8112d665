/**
 * Sample values for the `${NAME}` placeholders in deploy/ecs and deploy/iam. Tests render the
 * files with them (an unknown placeholder throws), so every placeholder is deliberate and
 * documented in docs/deploy.md.
 */
import { readFileSync } from 'node:fs';
import { renderPlaceholders } from './iam-eval.js';
import { REPO_ROOT } from './task-definition-examples.js';

export const SAMPLE = {
  REGION: 'eu-west-1',
  ACCOUNT_ID: '123456789012',
  CLUSTER: 'sessions',
  CONTROLLER_CLUSTER: 'platform',
  OWNER_ID: 'esr-prod',
  FILE_SYSTEM_ID: 'fs-0123456789abcdef0',
  ACCESS_POINT_ID: 'fsap-0123456789abcdef0',
  REDIS_URL: 'rediss://redis.internal.example:6379',
  REDIS_SECRET_NAME: 'esr/redis-password-AbCdEf',
  SUBNET_A: 'subnet-0aaaaaaaaaaaaaaaa',
  SUBNET_B: 'subnet-0bbbbbbbbbbbbbbbb',
  SESSION_SECURITY_GROUP: 'sg-0sessionsessions',
  CONTROLLER_SECURITY_GROUP: 'sg-0controllercontrol',
  SESSION_IMAGE_TAG: '2025.1.0',
  RECONCILER_IMAGE_TAG: '0.1.0',
  GATEWAY_IMAGE_TAG: '3.2.1',
  EVENTS_QUEUE_NAME: 'esr-task-events',
} as const;

/** The file's text with every placeholder replaced by its sample value, parsed as JSON. */
export function renderedJson<T = unknown>(path: string, values: Readonly<Record<string, string>> = SAMPLE): T {
  return JSON.parse(renderPlaceholders(readFileSync(REPO_ROOT + path, 'utf8'), values)) as T;
}

/** Placeholder names used in a file. */
export function placeholdersIn(path: string): string[] {
  return [...new Set([...readFileSync(REPO_ROOT + path, 'utf8').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!))];
}
