import type { Attachment, Container, Tag, Task } from '@aws-sdk/client-ecs';
import { stateAt, type TaskRecord, type TaskStatus } from './task-lifecycle.js';

/** The ENI attachment's status for a task status (ECS: PRECREATED -> ATTACHED -> DETACHED -> DELETED). */
function attachmentStatus(s: TaskStatus): string {
  switch (s) {
    case 'PROVISIONING':
      return 'PRECREATED';
    case 'PENDING':
    case 'ACTIVATING':
    case 'RUNNING':
    case 'DEACTIVATING':
    case 'STOPPING':
      return 'ATTACHED';
    case 'DEPROVISIONING':
      return 'DETACHED';
    case 'STOPPED':
      return 'DELETED';
  }
}

function containerStatus(s: TaskStatus, execStopped: boolean): string {
  if (execStopped) return 'STOPPED';
  if (s === 'RUNNING' || s === 'DEACTIVATING' || s === 'STOPPING') return 'RUNNING';
  return 'PENDING';
}

/**
 * The task as DescribeTasks / RunTask / StopTask return it, at time `t` (epoch ms); `tags`: the
 * tags a reader sees (default: the task's current ones; eventual-consistency.ts may show older).
 */
export function taskView(task: TaskRecord, t: number, includeTags: boolean, tags: readonly Tag[] = task.tags): Task {
  const st = stateAt(task, t);
  const execStopped = st.executionStoppedAt !== undefined;
  // While PROVISIONING the ENI is still being provisioned ("for tasks that use the awsvpc network
  // mode, the elastic network interface needs to be provisioned", ECS task lifecycle), so the
  // attachment names only its subnet and no container has a network interface yet.
  const provisioned = st.lastStatus !== 'PROVISIONING';
  const attachment: Attachment = {
    id: task.eni.attachmentId,
    type: 'ElasticNetworkInterface',
    status: attachmentStatus(st.lastStatus),
    details: provisioned
      ? [
          { name: 'subnetId', value: task.eni.subnetId },
          { name: 'networkInterfaceId', value: task.eni.eniId },
          { name: 'macAddress', value: task.eni.mac },
          { name: 'privateDnsName', value: `ip-${task.eni.privateIp.replaceAll('.', '-')}.ec2.internal` },
          { name: 'privateIPv4Address', value: task.eni.privateIp },
        ]
      : [{ name: 'subnetId', value: task.eni.subnetId }],
  };
  const containers: Container[] = task.containers.map((c, i) => ({
    containerArn: c.arn,
    taskArn: task.arn,
    name: c.name,
    image: c.image,
    lastStatus: containerStatus(st.lastStatus, execStopped),
    ...(provisioned ? { networkInterfaces: [{ attachmentId: task.eni.attachmentId, privateIpv4Address: task.eni.privateIp }] } : {}),
    healthStatus: 'UNKNOWN',
    ...(execStopped && st.stop?.exitCode !== undefined ? { exitCode: i === 0 ? st.stop.exitCode : 0 } : {}),
    ...(execStopped && st.stop && i === 0 && st.stop.code !== 'UserInitiated' ? { reason: st.stop.reason } : {}),
  }));
  const view: Task = {
    taskArn: task.arn,
    clusterArn: task.clusterArn,
    taskDefinitionArn: task.taskDefinitionArn,
    lastStatus: st.lastStatus,
    desiredStatus: st.desiredStatus,
    createdAt: new Date(task.createdAt),
    connectivity: st.lastStatus === 'RUNNING' ? 'CONNECTED' : undefined,
    attachments: [attachment],
    containers,
    cpu: task.cpu,
    memory: task.memory,
    group: task.group ?? `family:${task.family}`,
    launchType: task.launchType as Task['launchType'],
    capacityProviderName: task.capacityProviderName,
    platformVersion: task.platformVersion,
    startedBy: task.startedBy,
    overrides: task.overrides ?? { containerOverrides: [] },
    version: versionOf(st.lastStatus, st.desiredStatus),
    availabilityZone: 'us-east-1a',
    healthStatus: 'UNKNOWN',
  };
  if (st.lastStatus !== 'PROVISIONING') view.pullStartedAt = new Date(task.pendingAt);
  if (st.startedAt !== undefined) {
    view.startedAt = new Date(st.startedAt);
    view.pullStoppedAt = new Date(task.activatingAt);
    view.connectivityAt = new Date(task.pendingAt);
  }
  if (st.stoppingAt !== undefined) view.stoppingAt = new Date(st.stoppingAt);
  if (st.executionStoppedAt !== undefined) view.executionStoppedAt = new Date(st.executionStoppedAt);
  if (st.stoppedAt !== undefined) view.stoppedAt = new Date(st.stoppedAt);
  if (st.stop) {
    view.stopCode = st.stop.code;
    view.stoppedReason = st.stop.reason;
  }
  if (includeTags) view.tags = tags.map((tg) => ({ ...tg }));
  for (const k of Object.keys(view) as Array<keyof Task>) if (view[k] === undefined) delete view[k];
  return view;
}

/**
 * ECS bumps a task's `version` on every change of its state, a stop request (desiredStatus
 * STOPPED) included; the status index, doubled, plus one once the stop is requested, stands in.
 */
function versionOf(s: TaskStatus, desired: string | undefined): number {
  const index = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'].indexOf(s) + 1;
  return index * 2 + (desired === 'STOPPED' ? 1 : 0);
}
