/**
 * The baseline this project replaces: one polling loop per session (and per warm task), each
 * on its own — RunTask with count 1 (no batching), then DescribeTasks of its one task every
 * 100 ms until RUNNING; any error (throttling included) is retried after a fixed 100 ms (no
 * backoff, no jitter, no shared rate limit, no breaker). Retries never give up, which is
 * generous to the baseline: the original gave up after 50 tries and left the session broken.
 *
 * It drives the same AwsApi (SimAwsApi over the same SimCore) on the same virtual clock, and
 * writes a Running status with the endpoint to the same store, so progress is read the same way.
 */
import { setMaxListeners } from 'node:events';
import type { Clock } from '../../src/common/clock.js';
import { SCHEMA_VERSION, type SessionStatus } from '../../src/desired/schema.js';
import type { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import type { ObservedTask } from '../../src/observed/model.js';

/** The fixed sleep between polls and between retries, in ms. */
export const NAIVE_SLEEP_MS = 100;

export interface NaiveOptions {
  api: AwsApi;
  clock: Clock;
  store: MemoryDesiredStore;
  cluster: string;
  signal: AbortSignal;
}

const sleep = (o: NaiveOptions): Promise<void> => o.clock.sleep(NAIVE_SLEEP_MS, o.signal);

/** Retries `fn` every 100 ms until it returns a value (or the run is aborted). */
async function retrying<T>(o: NaiveOptions, fn: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch {
      // any error: try again after the fixed sleep
    }
    await sleep(o);
  }
}

/** Registers the one task definition every loop uses. */
export async function registerNaiveTaskDefinition(o: NaiveOptions): Promise<string> {
  return retrying(o, async () => {
    const td = await o.api.ecs.registerTaskDefinition({
      family: 'naive-shell',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      containerDefinitions: [{ name: 'session', image: 'repo/shell:1', essential: true, portMappings: [{ containerPort: 8080 }] }],
    });
    return td.arn;
  });
}

/** Starts one task with `tags` and polls it until RUNNING; returns the running task. */
async function launchAndWait(o: NaiveOptions, taskDefinition: string, tags: Record<string, string>): Promise<ObservedTask> {
  const arn = await retrying(o, async () => {
    const out = await o.api.ecs.runTask({
      cluster: o.cluster,
      taskDefinition,
      count: 1,
      startedBy: 'naive',
      launchType: 'FARGATE',
      tags,
      networkConfiguration: { subnets: ['subnet-1'] },
    });
    return out.tasks[0]?.arn;
  });
  return retrying(o, async () => {
    await sleep(o);
    const out = await o.api.ecs.describeTasks({ cluster: o.cluster, tasks: [arn] });
    const t = out.tasks[0];
    return t?.lastStatus === 'RUNNING' ? t : undefined;
  });
}

function runningStatus(task: ObservedTask, now: number): SessionStatus {
  return {
    schemaVersion: SCHEMA_VERSION,
    phase: 'Running',
    observedGeneration: 1,
    incarnation: 1,
    taskArn: task.arn,
    endpoint: { ip: task.privateIp ?? '0.0.0.0', port: 8080 },
    conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: '', lastTransitionTime: now }],
    warm: false,
    attempts: 1,
    updatedAt: now,
  };
}

/** One loop per session: launch, poll, write Running. */
export async function naiveSession(o: NaiveOptions, taskDefinition: string, id: string): Promise<void> {
  const task = await launchAndWait(o, taskDefinition, { 'esr:role': 'session', 'esr:session': id });
  await o.store.writeStatus(id, runningStatus(task, o.clock.now()), 1);
}

/** One loop per warm task: launch and poll (the pool is "full" when every loop is done). */
export async function naiveWarmTask(o: NaiveOptions, taskDefinition: string, pool: string): Promise<void> {
  await launchAndWait(o, taskDefinition, { 'esr:role': 'warm', 'esr:pool': pool });
}

/** Runs the whole baseline: every session loop and every warm loop at once. */
export async function runNaive(o: NaiveOptions, sessionIds: readonly string[], pool: string, poolSize: number): Promise<void> {
  setMaxListeners(0, o.signal); // one sleep per loop listens to the signal
  const td = await registerNaiveTaskDefinition(o);
  await Promise.all([
    ...sessionIds.map((id) => naiveSession(o, td, id)),
    ...Array.from({ length: poolSize }, () => naiveWarmTask(o, td, pool)),
  ]);
}
