/**
 * Vitest global setup: makes sure every test worker sees a reachable REDIS_URL
 * (the shared local Redis, or a private redis-server started for this run).
 */
import type { TestProject } from 'vitest/node';
import { locateRedis, type LocatedRedis } from '../../src/common/local-redis.js';

let located: LocatedRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  located = await locateRedis();
  process.env.REDIS_URL = located.url;
  project.provide('redisUrl', located.url);
}

export async function teardown(): Promise<void> {
  await located?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
