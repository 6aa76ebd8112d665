import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { RealClock } from '../../../src/common/clock.js';
import { AwsCallGuard } from '../../../src/controller/resilience/call-guard.js';
import { Deadline } from '../../../src/controller/resilience/deadline.js';
import { RateLimiterRegistry } from '../../../src/controller/resilience/rate-limiter-registry.js';
import { createAwsClients, type AwsClients } from '../../../src/observed/aws-clients.js';
import { CallTimeoutError, classify } from '../../../src/observed/aws-errors.js';
import { SimCore } from '../../../src/sim/core.js';
import { startSimServer, type SimServer } from '../../../src/sim/http-server.js';
import { SIM_CREDENTIALS, SIM_REGION } from '../../../src/sim/sdk-clients.js';

// Real time on purpose: the point is that the real SDK over real HTTP honours the AbortSignal.
// The deadline is 100 ms, so the test costs about that.
describe('deadline propagation to an in-flight SDK call (simulator over HTTP, hung request)', () => {
  let server: SimServer;
  let clients: AwsClients;
  const core = new SimCore({ faults: { hangRate: { ListTasks: 1 } } });

  beforeAll(async () => {
    server = await startSimServer({ core, port: 0 });
    clients = createAwsClients({ endpoint: server.url, region: SIM_REGION, credentials: SIM_CREDENTIALS, maxAttempts: 1 });
    // Warm the client (lazy SDK set-up, first connection) so the 100 ms go to the hung request.
    await clients.ecs.send(new DescribeTasksCommand({ cluster: 'default', tasks: ['warm-up'] })).catch(() => undefined);
  });

  afterAll(async () => {
    clients.destroy();
    await server.close();
  });

  it('aborts the hung call soon after the deadline and classifies it as a timeout', async () => {
    const clock = new RealClock();
    const guard = new AwsCallGuard({ clock, limits: new RateLimiterRegistry(clock) });
    const deadline = Deadline.in(clock, 100);
    const started = Date.now();
    const err = await guard
      .run({ service: 'ecs', operation: 'ListTasks', deadline, call: (signal) => clients.ecs.send(new ListTasksCommand({ cluster: 'default' }), { abortSignal: signal }) })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(CallTimeoutError);
    expect(classify(err)).toBe('timeout');
    expect(classify((err as Error).cause)).toBe('aborted');
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1500);
    // The request really reached the simulator, and the simulator saw the client give up.
    for (let i = 0; i < 50 && core.stats.snapshot().total.hung === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(core.stats.snapshot().total.hung).toBe(1);
  });
});
