import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SimCore, type SimCoreOptions } from '../../src/sim/core.js';
import { startSimServer, type SimServer } from '../../src/sim/http-server.js';
import { simClients, type SimClients } from '../../src/sim/sdk-clients.js';

/** A simulator on a VirtualClock served over HTTP on a free port, with real SDK clients pointed at it. */
export interface Harness {
  clock: VirtualClock;
  core: SimCore;
  server: SimServer;
  clients: SimClients;
  close(): Promise<void>;
}

export async function startHarness(opts: Omit<SimCoreOptions, 'clock'> = {}): Promise<Harness> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const core = new SimCore({ profile: 'fast', seed: 7, ...opts, clock });
  const server = await startSimServer({ core, port: 0 });
  const clients = simClients(server.url);
  return {
    clock,
    core,
    server,
    clients,
    close: async () => {
      clients.destroy();
      await server.close();
    },
  };
}

/**
 * One harness per test file, through vitest's hooks: started before the first test, closed after
 * the last, and before each test reset (tasks, tokens, faults), then `eachTest` runs (e.g. to
 * register task definitions). The returned object is filled in when the harness starts, so it
 * is usable inside tests and hooks, not at module level.
 */
export function useHarness(opts: Omit<SimCoreOptions, 'clock'> = {}, eachTest?: (h: Harness) => Promise<unknown>): Harness {
  const h = {} as Harness;
  beforeAll(async () => {
    Object.assign(h, await startHarness(opts));
  });
  afterAll(async () => h.close());
  beforeEach(async () => {
    h.core.reset();
    h.core.setFaults({});
    await eachTest?.(h);
  });
  return h;
}

export const SUBNETS = { awsvpcConfiguration: { subnets: ['subnet-0abc'], securityGroups: ['sg-0abc'] } };

/** Registers a small awsvpc Fargate task definition and returns its ARN. */
export async function registerSessionTaskDef(h: Harness, family = 'session'): Promise<string> {
  const out = await h.clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'shell', image: 'public.ecr.aws/example/shell:1', essential: true }],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}
