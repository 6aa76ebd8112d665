/** The SDK adapter's translation: what reaches the wire (checked at the simulator with raw SDK calls). */
import { DescribeTaskDefinitionCommand, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { isTaskNotFound, toRunTaskRequest } from '../../src/observed/sdk-ecs-api.js';
import { existingAccessPointId } from '../../src/observed/sdk-efs-api.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import { startSimServer, type SimServer } from '../../src/sim/http-server.js';
import { simClients, type SimClients } from '../../src/sim/sdk-clients.js';
import { CLUSTER, runInput, taskDefinitionInput } from './fixtures.js';

describe('SdkAwsApi over HTTP', () => {
  let server: SimServer;
  let clients: SimClients;
  let api: SdkAwsApi;
  beforeAll(async () => {
    const core = new SimCore({ clock: new VirtualClock(), profile: 'fast', limits: false });
    server = await startSimServer({ core, port: 0 });
    clients = simClients(server.url);
    api = new SdkAwsApi(clients);
  });
  afterAll(async () => {
    clients.destroy();
    await server.close();
  });

  it('sends EFS volumes with access point and IAM authorization, container env and ports', async () => {
    const td = await api.ecs.registerTaskDefinition(
      taskDefinitionInput({
        family: 'esr-wire',
        volumes: [{ name: 'home', efs: { fileSystemId: 'fs-0123456789abcdef0', transitEncryption: true, accessPointId: 'fsap-0123456789abcdef0', iam: true } }],
        containerDefinitions: [{ name: 'shell', image: 'img:1', environment: { A: '1' }, portMappings: [{ containerPort: 7681 }], mountPoints: [{ sourceVolume: 'home', containerPath: '/home' }] }],
      }),
    );
    const raw = await clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: td.arn }));
    expect(raw.taskDefinition?.volumes?.[0]?.efsVolumeConfiguration).toMatchObject({
      fileSystemId: 'fs-0123456789abcdef0',
      transitEncryption: 'ENABLED',
      authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
    });
    expect(raw.taskDefinition?.containerDefinitions?.[0]).toMatchObject({ environment: [{ name: 'A', value: '1' }], portMappings: [{ containerPort: 7681 }] });
  });

  it('sends network configuration and container overrides with RunTask', async () => {
    const td = await api.ecs.registerTaskDefinition(taskDefinitionInput());
    const out = await api.ecs.runTask(runInput(td.arn, { overrides: { containerOverrides: [{ name: 'shell', environment: { SESSION: 's1' } }] } }));
    const raw = await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [out.tasks[0]!.arn] }));
    expect(raw.tasks?.[0]?.overrides?.containerOverrides?.[0]).toMatchObject({ name: 'shell', environment: [{ name: 'SESSION', value: 's1' }] });
  });
});

describe('SDK adapter helpers', () => {
  it('maps assignPublicIp and placement', () => {
    const req = toRunTaskRequest(runInput('td', { networkConfiguration: { subnets: ['a'], assignPublicIp: true }, launchType: undefined, capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }));
    expect(req.networkConfiguration?.awsvpcConfiguration).toEqual({ subnets: ['a'], securityGroups: undefined, assignPublicIp: 'ENABLED' });
    expect(req.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
    expect(req.count).toBe(1);
  });

  it('recognises a vanished task and an existing access point', () => {
    expect(isTaskNotFound({ name: 'InvalidParameterException', message: 'The referenced task was not found.' })).toBe(true);
    expect(isTaskNotFound({ name: 'InvalidParameterException', message: 'count must be 1..10' })).toBe(false);
    expect(isTaskNotFound(undefined)).toBe(false);
    expect(existingAccessPointId({ name: 'AccessPointAlreadyExists', AccessPointId: 'fsap-1' })).toBe('fsap-1');
    expect(existingAccessPointId({ name: 'AccessPointLimitExceeded', AccessPointId: 'fsap-1' })).toBeUndefined();
  });
});
