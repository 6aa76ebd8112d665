/**
 * One harness per AwsApi implementation, so the same contract suite runs against each: the SDK
 * adapter over HTTP to the simulator (real SDK clients) and the in-process simulator adapter
 * (what unit tests use). Both run on a VirtualClock: `advance` moves time, nothing sleeps.
 */
import { VirtualClock } from '../../src/common/clock.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import { SimAwsApi } from '../../src/observed/sim-aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import { startSimServer } from '../../src/sim/http-server.js';
import type { SimOperation } from '../../src/sim/ops.js';
import { simClients } from '../../src/sim/sdk-clients.js';
import { CLUSTER } from './fixtures.js';

export const FILE_SYSTEM_ID = 'fs-0123456789abcdef0';

export type CountedOperation = Extract<
  SimOperation,
  'ListTasks' | 'DescribeTasks' | 'RunTask' | 'StopTask' | 'TagResource' | 'RegisterTaskDefinition' | 'DescribeTaskDefinition' | 'CreateAccessPoint' | 'DescribeAccessPoints' | 'DeleteAccessPoint'
>;

export interface AwsApiHarness {
  readonly name: string;
  readonly api: AwsApi;
  readonly clock: VirtualClock;
  readonly cluster: string;
  readonly fileSystemId: string;
  /** Starts a full outage (5xx answers) of one service for `durationMs` of virtual time. */
  outage(service: 'ecs' | 'efs', durationMs: number): void;
  /** Calls the backend received, by operation, since the last reset. */
  count(op: CountedOperation): number;
  /** Every call the backend received since the last reset. */
  totalCalls(): number;
  resetCounts(): void;
  close(): Promise<void>;
}

function simCore(clock: VirtualClock): SimCore {
  // Throttling off: these suites count calls, they do not test rate limits.
  return new SimCore({ clock, profile: 'fast', seed: 5, limits: false, fileSystems: [FILE_SYSTEM_ID] });
}

function simCounts(core: SimCore): Pick<AwsApiHarness, 'count' | 'totalCalls' | 'resetCounts' | 'outage'> {
  return {
    outage: (service, durationMs) => void core.startOutage(service, durationMs),
    count: (op) => core.getStats().byOperation[op]?.calls ?? 0,
    totalCalls: () => core.getStats().total.calls,
    resetCounts: () => core.stats.reset(),
  };
}

export async function startSimInProcessHarness(): Promise<AwsApiHarness> {
  const clock = new VirtualClock();
  const core = simCore(clock);
  return { name: 'sim in-process', api: new SimAwsApi(core), clock, cluster: CLUSTER, fileSystemId: FILE_SYSTEM_ID, ...simCounts(core), close: async () => undefined };
}

export async function startSdkOverHttpHarness(): Promise<AwsApiHarness> {
  const clock = new VirtualClock();
  const core = simCore(clock);
  const server = await startSimServer({ core, port: 0 });
  const clients = simClients(server.url);
  return {
    name: 'SDK over HTTP to the simulator',
    api: new SdkAwsApi(clients),
    clock,
    cluster: CLUSTER,
    fileSystemId: FILE_SYSTEM_ID,
    ...simCounts(core),
    close: async () => {
      clients.destroy();
      await server.close();
    },
  };
}
