import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { Clock } from '../common/clock.js';
import type { Rng } from '../common/rng.js';
import { clusterArn, hexId, taskArn, uuidLike, type SimAccount } from './arns.js';
import type * as s from './ecs-schemas.js';
import { drawMs } from './ecs-tasks.js';
import type { FaultInjector } from './faults.js';
import type { LaunchKind } from './launch-kind.js';
import type { TimingProfile } from './profiles.js';
import { requestStop, type TaskRecord } from './task-lifecycle.js';

export interface TaskFactoryDeps {
  clock: Clock;
  rng: Rng;
  account: SimAccount;
  profile: TimingProfile;
  faults: FaultInjector;
  /** Sequence number that becomes the task's private IPv4 address (10.0.x.y). */
  ip: number;
}

/**
 * Builds a new task for RunTask: IDs and phase durations drawn from the seeded RNG, an ENI with
 * a private address, and its fate (fail to start, crash, spot interruption) decided up front.
 */
export function newTask(
  d: TaskFactoryDeps,
  cluster: string,
  def: { taskDefinitionArn?: string; family?: string; revision?: number; containerDefinitions?: Array<{ name?: string; image?: string }>; cpu?: string; memory?: string },
  req: s.RunTaskInput,
  placement: { kind: LaunchKind; spot: boolean },
  subnet: string | undefined,
): TaskRecord {
  const { rng, profile: p } = d;
  const now = d.clock.now();
  const id = hexId(rng, 32);
  const arn = taskArn(d.account, cluster, id);
  const pendingAt = now + drawMs(rng, p.provisioningMs);
  const activatingAt = pendingAt + drawMs(rng, p.pendingMs);
  const runningAt = activatingAt + drawMs(rng, p.activatingMs);
  const n = d.ip;
  const task: TaskRecord = {
    id,
    arn,
    cluster,
    clusterArn: clusterArn(d.account, cluster),
    taskDefinitionArn: def.taskDefinitionArn!,
    family: def.family!,
    revision: def.revision!,
    containers: (def.containerDefinitions ?? []).map((c) => ({
      name: c.name ?? 'main',
      image: c.image ?? '',
      arn: `arn:aws:ecs:${d.account.region}:${d.account.accountId}:container/${cluster}/${id}/${uuidLike(rng)}`,
    })),
    cpu: def.cpu,
    memory: def.memory,
    startedBy: req.startedBy,
    group: req.group,
    // The launch type given, else the one the capacity provider implies (EC2 for an Auto Scaling group provider).
    launchType: req.launchType ?? placement.kind,
    capacityProviderName: req.capacityProviderStrategy?.[0]?.capacityProvider,
    // Platform versions are a Fargate notion; EC2 tasks have none.
    platformVersion: placement.kind === 'FARGATE' ? (req.platformVersion ?? '1.4.0') : undefined,
    overrides: req.overrides as TaskOverride | undefined,
    tags: (req.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
    clientToken: req.clientToken,
    eni: {
      attachmentId: uuidLike(rng),
      eniId: `eni-${hexId(rng, 17)}`,
      privateIp: `10.0.${(n >> 8) & 255}.${n & 255}`,
      subnetId: subnet ?? 'subnet-0123456789abcdef0',
      mac: `0e:${[0, 0, 0, 0, 0].map(() => hexId(rng, 2)).join(':')}`,
    },
    createdAt: now,
    pendingAt,
    activatingAt,
    runningAt,
    stopDurations: {
      deactivating: drawMs(rng, p.deactivatingMs),
      stopping: drawMs(rng, p.stoppingMs),
      deprovisioning: drawMs(rng, p.deprovisioningMs),
    },
  };
  const fate = d.faults.taskFate(placement.spot);
  if (fate.failToStart) {
    requestStop(task, {
      at: pendingAt + Math.floor((activatingAt - pendingAt) / 2),
      code: 'TaskFailedToStart',
      reason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref',
    });
  }
  if (fate.crashAfterMs !== undefined) {
    requestStop(task, { at: runningAt + fate.crashAfterMs, code: 'EssentialContainerExited', reason: 'Essential container in task exited', exitCode: 1 });
  }
  if (fate.spotInterruptAfterMs !== undefined) {
    requestStop(task, { at: runningAt + fate.spotInterruptAfterMs, code: 'SpotInterruption', reason: 'Your Spot Task was interrupted.', exitCode: 143 });
  }
  return task;
}
