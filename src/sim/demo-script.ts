import { DescribeTasksCommand, ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CreateAccessPointCommand } from '@aws-sdk/client-efs';
import { SimCore } from './core.js';
import { startSimServer } from './http-server.js';
import type { TimingProfile } from './profiles.js';
import { simClients } from './sdk-clients.js';

/** A profile slow enough to watch (each phase a few hundred ms) and fast enough for a ~10 s demo. */
export const DEMO_PROFILE: TimingProfile = {
  name: 'demo',
  provisioningMs: { min: 300, max: 600 },
  pendingMs: { min: 500, max: 1000 },
  activatingMs: { min: 300, max: 600 },
  deactivatingMs: { min: 200, max: 400 },
  stoppingMs: { min: 400, max: 800 },
  deprovisioningMs: { min: 300, max: 600 },
  stoppedRetentionMs: 3_600_000,
  clientTokenTtlMs: 24 * 3_600_000,
};

const POLL_MS = 200;

/**
 * The simulator demo: serves the simulator over HTTP on a free port and drives it with the
 * real AWS SDK — register a task definition, RunTask with a clientToken, replay the token,
 * watch the lifecycle, crash a task through fault injection, stop the rest, print stats.
 * Resolves with the number of problems found (0 on success).
 */
export async function runSimDemo(log: (line: string) => void = console.log): Promise<number> {
  const core = new SimCore({ profile: DEMO_PROFILE, seed: 42 });
  const server = await startSimServer({ core, port: 0 });
  const { ecs, efs, destroy } = simClients(server.url);
  const t0 = Date.now();
  const say = (msg: string): void => log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
  let problems = 0;
  const check = (ok: boolean, what: string): void => {
    say(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) problems++;
  };
  try {
    say(`simulator listening on ${server.url} (profile ${DEMO_PROFILE.name}, seed 42)`);
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'session-shell',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'shell', image: 'public.ecr.aws/example/session-shell:1', essential: true }],
      }),
    );
    say(`registered ${td.taskDefinition!.taskDefinitionArn}`);

    const request = {
      taskDefinition: 'session-shell',
      count: 3,
      clientToken: 'demo-warm-pool-1',
      startedBy: 'esr-demo',
      launchType: 'FARGATE' as const,
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0demo'], securityGroups: ['sg-0demo'] } },
      tags: [{ key: 'esr:owner', value: 'demo' }, { key: 'esr:role', value: 'warm' }],
    };
    const run = await ecs.send(new RunTaskCommand(request));
    const arns = run.tasks!.map((t) => t.taskArn!);
    say(`RunTask count=3 clientToken=${request.clientToken} -> ${arns.length} tasks`);
    for (const a of arns) say(`  ${a}`);
    const replay = await ecs.send(new RunTaskCommand(request));
    check(JSON.stringify(replay.tasks!.map((t) => t.taskArn)) === JSON.stringify(arns), 'replaying the clientToken returned the same tasks, none new');

    const ap = await efs.send(new CreateAccessPointCommand({ ClientToken: 'user-alice', FileSystemId: 'fs-0123456789abcdef0', PosixUser: { Uid: 1000, Gid: 1000 } }));
    say(`EFS access point ${ap.AccessPointId} for user-alice`);

    const last = new Map<string, string>();
    const poll = async (until: (tasks: Task[]) => boolean, timeoutMs: number): Promise<Task[]> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const out = await ecs.send(new DescribeTasksCommand({ tasks: arns, include: ['TAGS'] }));
        for (const t of out.tasks!) {
          const id = t.taskArn!.split('/').at(-1)!.slice(0, 8);
          if (last.get(t.taskArn!) !== t.lastStatus) {
            last.set(t.taskArn!, t.lastStatus!);
            const ip = t.attachments?.[0]?.details?.find((d) => d.name === 'privateIPv4Address')?.value;
            const extra = t.stopCode ? ` stopCode=${t.stopCode} reason="${t.stoppedReason}"` : t.lastStatus === 'RUNNING' ? ` ip=${ip}` : '';
            say(`  task ${id}: ${t.lastStatus} (desired ${t.desiredStatus})${extra}`);
          }
        }
        if (until(out.tasks!)) return out.tasks!;
        if (Date.now() > deadline) throw new Error(`demo: tasks did not reach the expected state within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };
    await poll((ts) => ts.every((t) => t.lastStatus === 'RUNNING'), 15_000);
    check(true, 'all tasks RUNNING');

    say(`injecting a crash into ${arns[0]!.split('/').at(-1)!.slice(0, 8)} via POST /_sim/tasks/crash`);
    const res = await fetch(`${server.url}/_sim/tasks/crash`, { method: 'POST', body: JSON.stringify({ taskArn: arns[0] }) });
    check(res.ok, 'crash accepted');
    const afterCrash = await poll((ts) => ts.find((t) => t.taskArn === arns[0])?.lastStatus === 'STOPPED', 15_000);
    const crashed = afterCrash.find((t) => t.taskArn === arns[0])!;
    check(crashed.stopCode === 'EssentialContainerExited', `crashed task stopCode=${crashed.stopCode} reason="${crashed.stoppedReason}" exitCode=${crashed.containers?.[0]?.exitCode}`);

    for (const a of arns.slice(1)) await ecs.send(new StopTaskCommand({ task: a, reason: 'demo finished' }));
    say('StopTask sent for the other tasks');
    await poll((ts) => ts.every((t) => t.lastStatus === 'STOPPED'), 15_000);
    const listed = await ecs.send(new ListTasksCommand({ startedBy: 'esr-demo', desiredStatus: 'STOPPED' }));
    check(listed.taskArns!.length === 3, `ListTasks desiredStatus=STOPPED lists ${listed.taskArns!.length} tasks`);

    const stats = core.getStats();
    say(`simulator stats: ${stats.total.calls} calls, ${stats.total.mutatingCalls} mutating, ${stats.total.throttled} throttled, ${stats.total.errors} errors`);
    for (const [op, c] of Object.entries(stats.byOperation)) say(`  ${op.padEnd(24)} calls=${c.calls} ok=${c.ok} errors=${c.errors} throttled=${c.throttled}`);
    say(problems === 0 ? 'demo finished: all checks passed' : `demo finished with ${problems} failed check(s)`);
    return problems;
  } finally {
    destroy();
    await server.close();
  }
}
