import { describe, expect, it } from 'vitest';
import { fargateLaunchTokens, launchesOnFargate } from '../../src/controller/fargate-launch.js';

describe('fargate-launch: which RunTask requests draw the Fargate task-launch bucket', () => {
  it('Fargate launch type, Fargate capacity providers and the cluster default draw `count`; EC2 draws nothing', () => {
    expect(fargateLaunchTokens({ launchType: 'FARGATE', count: 3 })).toBe(3);
    expect(fargateLaunchTokens({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], count: 10 })).toBe(10);
    expect(fargateLaunchTokens({ capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] })).toBe(1);
    expect(fargateLaunchTokens({})).toBe(1);
    expect(fargateLaunchTokens({ capacityProviderStrategy: [{ capacityProvider: 'ec2-asg', weight: 1 }], count: 10 })).toBe(0);
    expect(fargateLaunchTokens({ launchType: 'EC2', count: 5 })).toBe(0);
    expect(launchesOnFargate({ launchType: 'EXTERNAL' })).toBe(false);
  });
});
