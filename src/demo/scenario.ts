/**
 * The demo's scripted gateway: creates sessions, and (with chaos) crashes tasks, causes a
 * throttling burst and a short ECS outage, deletes a few sessions. Times are seconds from start.
 */
import type { SessionClient } from '../desired/client.js';
import type { SimCore } from '../sim/core.js';
import { TAG } from '../observed/model.js';

export interface ScenarioStep {
  at: number;
  what: string;
  run(): Promise<void>;
}

export function demoScenario(args: { client: SessionClient; core: SimCore; sessions: number; chaos: boolean; durationS: number }): ScenarioStep[] {
  const { client, core, sessions, chaos, durationS } = args;
  const ids = Array.from({ length: sessions }, (_, i) => `demo-${String(i + 1).padStart(3, '0')}`);
  const runningTasks = () => core.dump().tasks.filter((t) => t.lastStatus === 'RUNNING' && t.tags[TAG.session]);
  const steps: ScenarioStep[] = [
    {
      at: 0,
      what: `gateway creates ${sessions} sessions`,
      run: async () => {
        await Promise.all(ids.map((id, i) => client.ensureSession({ id, userId: `user-${i % 7}`, template: 'shell', persistence: i % 3 === 0 ? 'none' : 'preferred' })));
      },
    },
  ];
  if (chaos) {
    const t = (f: number): number => Math.round(durationS * f);
    steps.push(
      {
        at: t(0.3),
        what: 'chaos: 3 session tasks crash (EssentialContainerExited)',
        run: async () => {
          for (const task of runningTasks().slice(0, 3)) core.crashTask(task.taskArn, { reason: 'demo: agent process exited' });
        },
      },
      {
        at: t(0.4),
        what: 'chaos: a noisy neighbour in the account burns the ECS API buckets (throttling burst)',
        run: async () => {
          const burn = (op: 'DescribeTasks' | 'ListTasks', input: object) => core.call(op, input as never).catch(() => undefined);
          await Promise.all(Array.from({ length: 150 }, () => burn('ListTasks', { cluster: 'other-team' })));
          await Promise.all(Array.from({ length: 150 }, () => burn('DescribeTasks', { cluster: 'other-team', tasks: ['x'] })));
        },
      },
      {
        at: t(0.5),
        what: 'chaos: ECS outage (every call 500) for 12 s',
        run: async () => {
          core.startOutage('ecs', 12_000);
        },
      },
      {
        at: t(0.55),
        what: '2 more tasks crash during the outage (spot interruption)',
        run: async () => {
          for (const task of runningTasks().slice(3, 5)) core.interruptSpot(task.taskArn);
        },
      },
    );
  }
  steps.push({
    at: Math.round(durationS * 0.7),
    what: 'gateway deletes 3 sessions',
    run: async () => {
      for (const id of ids.slice(-3)) await client.deleteSession(id);
    },
  });
  return steps.sort((a, b) => a.at - b.at);
}
