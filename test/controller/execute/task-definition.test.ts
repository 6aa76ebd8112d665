import { describe, expect, it } from 'vitest';
import { taskDefinitionInput } from '../../../src/controller/execute/task-definition.js';
import { sessionLaunchSpec } from '../../../src/controller/plan/launch-spec.js';
import { aPlanConfig, aSpec, OWNER } from '../../fixtures/builders.js';

const base = aPlanConfig().templates.shell!;

describe('taskDefinitionInput', () => {
  it('mounts the access point with IAM auth and TLS, and ships logs with awslogs when the template says so', () => {
    const template = { ...base, logs: { group: '/esr/sessions', region: 'eu-west-1', bufferSize: '25m' } };
    const spec = sessionLaunchSpec({ spec: aSpec({ persistence: 'required' }), template, accessPointId: 'fsap-1', incarnation: 1, ownerId: OWNER });
    const td = taskDefinitionInput(spec, template, 'fs-12345678', OWNER);
    expect(td.family).toBe(spec.family);
    expect(td.volumes).toEqual([{ name: 'session-home', efs: { fileSystemId: 'fs-12345678', accessPointId: 'fsap-1', transitEncryption: true, iam: true } }]);
    const c = td.containerDefinitions[0]!;
    expect(c.mountPoints).toEqual([{ sourceVolume: 'session-home', containerPath: '/home/user', readOnly: false }]);
    expect(c.logConfiguration).toEqual({ logDriver: 'awslogs', options: { 'awslogs-group': '/esr/sessions', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'shell', mode: 'non-blocking', 'max-buffer-size': '25m' } });
    expect(td.tags).toMatchObject({ 'esr:owner': OWNER, 'esr:spec-hash': spec.contentHash });
  });

  it('without an access point or log config: no volume, no mount, no logs; a different content hash', () => {
    const spec = sessionLaunchSpec({ spec: aSpec(), template: base, accessPointId: undefined, incarnation: 1, ownerId: OWNER });
    const td = taskDefinitionInput(spec, base, 'fs-12345678', OWNER);
    expect(td.volumes).toBeUndefined();
    expect(td.containerDefinitions[0]!.mountPoints).toBeUndefined();
    expect(td.containerDefinitions[0]!.logConfiguration).toBeUndefined();
    const withAp = sessionLaunchSpec({ spec: aSpec(), template: base, accessPointId: 'fsap-1', incarnation: 1, ownerId: OWNER });
    expect(withAp.family).not.toBe(spec.family);
  });
});
