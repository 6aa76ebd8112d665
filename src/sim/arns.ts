import type { Rng } from '../common/rng.js';
import { randomInt } from '../common/rng.js';
import { ecsError } from './errors.js';

/** Where the simulated resources live; ARNs are built from it. */
export interface SimAccount {
  region: string;
  accountId: string;
}

export const DEFAULT_ACCOUNT: SimAccount = { region: 'us-east-1', accountId: '123456789012' };

/** `n` lowercase hex digits from the RNG. */
export function hexId(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += randomInt(rng, 16).toString(16);
  return s;
}

/** A UUID-shaped id (8-4-4-4-12 hex) from the RNG; not a real RFC 4122 UUID. */
export function uuidLike(rng: Rng): string {
  return `${hexId(rng, 8)}-${hexId(rng, 4)}-${hexId(rng, 4)}-${hexId(rng, 4)}-${hexId(rng, 12)}`;
}

export function clusterArn(a: SimAccount, cluster: string): string {
  return `arn:aws:ecs:${a.region}:${a.accountId}:cluster/${cluster}`;
}

export function taskArn(a: SimAccount, cluster: string, id: string): string {
  return `arn:aws:ecs:${a.region}:${a.accountId}:task/${cluster}/${id}`;
}

export function taskDefinitionArn(a: SimAccount, family: string, revision: number): string {
  return `arn:aws:ecs:${a.region}:${a.accountId}:task-definition/${family}:${revision}`;
}

export function accessPointArn(a: SimAccount, id: string): string {
  return `arn:aws:elasticfilesystem:${a.region}:${a.accountId}:access-point/${id}`;
}

const NAME = /^[A-Za-z0-9_-]{1,255}$/;

/** The cluster name from a name or a cluster ARN; `default` when absent. Throws InvalidParameterException when malformed. */
export function clusterName(input: string | undefined): string {
  if (input === undefined || input === '') return 'default';
  const m = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:cluster\/([A-Za-z0-9_-]{1,255})$/.exec(input);
  if (m) return m[1]!;
  if (NAME.test(input)) return input;
  throw ecsError.invalidParameter(`Invalid cluster identifier: '${input}'.`);
}

/**
 * A task reference: a 32-hex task ID or a task ARN (`arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID`).
 * Returns the cluster named in the ARN when present. Throws InvalidParameterException when malformed.
 */
export function parseTaskRef(ref: string): { id: string; cluster?: string } {
  if (/^[0-9a-f]{32}$/.test(ref)) return { id: ref };
  const m = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:task\/([A-Za-z0-9_-]{1,255})\/([0-9a-f]{32})$/.exec(ref);
  if (m) return { cluster: m[1]!, id: m[2]! };
  throw ecsError.invalidParameter(`Invalid identifier: '${ref}' is not a task ID or task ARN.`);
}

/** `family`, `family:revision` or a task-definition ARN. Throws InvalidParameterException when malformed. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } {
  const arn = /^arn:aws:ecs:[a-z0-9-]+:\d{12}:task-definition\/(.+)$/.exec(ref);
  const body = arn ? arn[1]! : ref;
  const m = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  if (!m) throw ecsError.invalidParameter(`Invalid task definition identifier: '${ref}'.`);
  return m[2] === undefined ? { family: m[1]! } : { family: m[1]!, revision: Number(m[2]) };
}
