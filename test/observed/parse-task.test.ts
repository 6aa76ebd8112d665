import { describe, expect, it } from 'vitest';
import { parseAccessPoint, parseTask, parseTaskStatus, parseTasks, toEpochMs } from '../../src/observed/parse-task.js';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task/c/abc';

describe('parseTask', () => {
  it('parses a full SDK-shaped task', () => {
    const t = parseTask({
      taskArn: ARN,
      taskDefinitionArn: 'arn:td:1',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      startedBy: 'esr',
      group: 'g',
      createdAt: new Date(1_000),
      startedAt: new Date(2_000),
      attachments: [
        { type: 'ElasticNetworkInterface', details: [{ name: 'subnetId', value: 's' }, { name: 'privateIPv4Address', value: '10.0.0.5' }] },
      ],
      containers: [{ networkInterfaces: [{ privateIpv4Address: '10.9.9.9' }] }],
      tags: [{ key: 'a', value: '1' }, { key: 'b' }],
    });
    expect(t).toMatchObject({
      arn: ARN,
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      createdAt: 1_000,
      startedAt: 2_000,
      stoppedAt: undefined,
      privateIp: '10.0.0.5',
      tags: { a: '1', b: '' },
    });
  });

  it('treats everything missing as unknown and never throws', () => {
    const t = parseTask({ taskArn: ARN });
    expect(t).toEqual({
      arn: ARN,
      taskDefinitionArn: undefined,
      lastStatus: 'UNKNOWN',
      desiredStatus: 'UNKNOWN',
      startedBy: undefined,
      group: undefined,
      createdAt: undefined,
      startedAt: undefined,
      stoppingAt: undefined,
      stoppedAt: undefined,
      stopCode: undefined,
      stoppedReason: undefined,
      privateIp: undefined,
      tags: {},
    });
  });

  it('survives garbage of every kind', () => {
    const junk: unknown[] = [null, 1, 'x', [], { taskArn: 5 }, { taskArn: ARN, tags: 'no', attachments: {}, containers: [null, { networkInterfaces: 'x' }], createdAt: 'not a date', lastStatus: 7 }];
    expect(() => junk.map(parseTask)).not.toThrow();
    expect(parseTasks(junk)).toHaveLength(1);
    expect(parseTasks(junk)[0]?.lastStatus).toBe('UNKNOWN');
    expect(parseTasks(junk)[0]?.createdAt).toBeUndefined();
    expect(parseTasks(undefined)).toEqual([]);
  });

  it('falls back to the container network interface for the IP', () => {
    const t = parseTask({ taskArn: ARN, containers: [{}, { networkInterfaces: [{ privateIpv4Address: '10.1.2.3' }] }] });
    expect(t?.privateIp).toBe('10.1.2.3');
  });

  it('maps unknown status strings to UNKNOWN', () => {
    expect(parseTaskStatus('WARMING_UP')).toBe('UNKNOWN');
    expect(parseTaskStatus('DEPROVISIONING')).toBe('DEPROVISIONING');
  });

  it('reads wire JSON epoch seconds and stop details', () => {
    const t = parseTask({ taskArn: ARN, lastStatus: 'STOPPED', stoppedAt: 1700000000.5, stopCode: 'EssentialContainerExited', stoppedReason: 'exit 1' });
    expect(t?.stoppedAt).toBe(1_700_000_000_500);
    expect(t?.stopCode).toBe('EssentialContainerExited');
    expect(toEpochMs(Number.NaN)).toBeUndefined();
    expect(toEpochMs('2026-01-01T00:00:00Z')).toBe(Date.UTC(2026, 0, 1));
  });
});

describe('parseAccessPoint', () => {
  it('parses EFS PascalCase with tags', () => {
    expect(parseAccessPoint({ AccessPointId: 'fsap-1', FileSystemId: 'fs-1', LifeCycleState: 'available', Tags: [{ Key: 'k', Value: 'v' }] })).toEqual({
      id: 'fsap-1',
      arn: undefined,
      fileSystemId: 'fs-1',
      lifeCycleState: 'available',
      tags: { k: 'v' },
    });
  });

  it('returns undefined without an id and uses the fallback file system', () => {
    expect(parseAccessPoint({ FileSystemId: 'fs-1' })).toBeUndefined();
    expect(parseAccessPoint({ AccessPointId: 'fsap-2' }, 'fs-9')?.fileSystemId).toBe('fs-9');
  });
});
