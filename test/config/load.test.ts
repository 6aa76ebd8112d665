import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const template = { image: 'repo/session:1', port: 8080, subnets: ['subnet-1'] };

describe('loadConfig', () => {
  it('applies defaults and parses templates and pools', () => {
    const cfg = loadConfig({
      RECONCILER_TEMPLATES: JSON.stringify({ shell: template }),
      RECONCILER_POOLS: JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 20 } }),
    });
    expect(cfg.resyncSeconds).toBe(30);
    expect(cfg.httpPort).toBe(9464);
    expect(cfg.templates.shell?.cpu).toBe('256');
    expect(cfg.pools['shell-warm']?.maxSize).toBe(20);
    expect(cfg.logPretty).toBe(false);
  });

  it('lists every problem at once, naming each variable', () => {
    let caught: unknown;
    try {
      loadConfig({
        RECONCILER_RESYNC_SECONDS: 'soon',
        RECONCILER_HTTP_PORT: '70000',
        RECONCILER_TEMPLATES: '{not json',
        REDIS_SENTINELS: 'a:1',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/RECONCILER_RESYNC_SECONDS/);
    expect(problems).toMatch(/RECONCILER_HTTP_PORT/);
    expect(problems).toMatch(/RECONCILER_TEMPLATES: not valid JSON/);
    expect(problems).toMatch(/REDIS_SENTINEL_NAME/);
  });

  it('rejects a pool naming an unknown template and a template with an unknown field', () => {
    expect(() =>
      loadConfig({
        RECONCILER_TEMPLATES: JSON.stringify({ shell: template }),
        RECONCILER_POOLS: JSON.stringify({ p: { template: 'gpu' } }),
      }),
    ).toThrow(/"gpu" is not a configured template/);
    expect(() => loadConfig({ RECONCILER_TEMPLATES: JSON.stringify({ shell: { ...template, privileged: true } }) })).toThrow(/RECONCILER_TEMPLATES: shell: Unrecognized key/);
  });
});

describe('loadConfig: timeout budgets', () => {
  it('takes template and pool names by the same rule as the client library, and names the rule when refusing', () => {
    const cfg = loadConfig({
      RECONCILER_TEMPLATES: JSON.stringify({ 'shell.v2': template, shell_v3: template }),
      RECONCILER_POOLS: JSON.stringify({ shell_warm: { template: 'shell.v2' } }),
    });
    expect(Object.keys(cfg.templates)).toEqual(['shell.v2', 'shell_v3']);
    expect(cfg.pools['shell_warm']?.template).toBe('shell.v2');
    expect(() => loadConfig({ RECONCILER_TEMPLATES: JSON.stringify({ 'Shell V2': template }), RECONCILER_POOLS: JSON.stringify({ 'Warm Pool': { template: 'shell' } }) })).toThrow(
      /RECONCILER_TEMPLATES: Shell V2: invalid name: must be 1-63 chars of \[a-z0-9._-\][\s\S]*RECONCILER_POOLS: Warm Pool: invalid name: must be 1-48 chars of \[a-z0-9_-\]/,
    );
  });

  it('refuses an overall deadline below sum(steps) x 1.5, naming the steps and the sums', () => {
    const env = {
      RECONCILER_TEMPLATES: JSON.stringify({ shell: template }),
      RECONCILER_TIMEOUTS: JSON.stringify({ sessionStartMs: 60_000, steps: { ensureAccessPoint: 5000, registerTaskDefinition: 5000, runTask: 10_000, waitForRunning: 60_000, tagResource: 3000 } }),
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/RECONCILER_TIMEOUTS: .*60000 ms is less than sum\(steps\) x 1.5 = 83000 ms x 1.5 = 124500 ms[\s\S]*waitForRunning: 60000 ms/);
  });

  it('accepts the defaults and merges rate-limit overrides over the ECS defaults', () => {
    const cfg = loadConfig({ RECONCILER_TEMPLATES: JSON.stringify({ shell: template }), RECONCILER_RATE_LIMITS: JSON.stringify({ buckets: { 'ecs:RunTask': { burst: 5, ratePerSec: 1 } } }) });
    expect(cfg.timeouts.sessionStartMs).toBe(125_000);
    expect(cfg.rateLimits.buckets['ecs:RunTask']).toEqual({ burst: 5, ratePerSec: 1 });
    expect(cfg.rateLimits.buckets['fargate:TaskLaunch']).toEqual({ burst: 100, ratePerSec: 20 });
  });

  it('takes the default RunTask bucket from the templates: EC2 figures when every template is on EC2', () => {
    const ec2 = { ...template, capacityProvider: 'ec2-asg' };
    const runTask = (templates: object, limits?: object) =>
      loadConfig({ RECONCILER_TEMPLATES: JSON.stringify(templates), ...(limits ? { RECONCILER_RATE_LIMITS: JSON.stringify(limits) } : {}) }).rateLimits.buckets['ecs:RunTask'];
    expect(runTask({ a: ec2 })).toEqual({ burst: 100, ratePerSec: 40 });
    expect(runTask({ a: ec2, b: template })).toEqual({ burst: 20, ratePerSec: 20 });
    expect(runTask({ a: ec2 }, { buckets: { 'ecs:RunTask': { burst: 5, ratePerSec: 1 } } })).toEqual({ burst: 5, ratePerSec: 1 });
  });

  it('refuses capacity provider names no capacity provider can have (a mis-spelt Fargate would be paced as EC2), naming the template', () => {
    const load = (capacityProvider: string) => () => loadConfig({ RECONCILER_TEMPLATES: JSON.stringify({ shell: { ...template, capacityProvider } }) });
    for (const name of ['fargate', 'Fargate_Spot', 'FARGATE_spot', ' FARGATE', 'ecs-asg', 'AWS-default']) {
      expect(load(name), name).toThrow(/RECONCILER_TEMPLATES: shell\.capacityProvider: .*does not exist|RECONCILER_TEMPLATES: shell\.capacityProvider: .*spaces/);
    }
    for (const name of ['FARGATE', 'FARGATE_SPOT', 'my-asg', 'prod_asg_1']) expect(load(name), name).not.toThrow();
  });
});

describe('loadConfig: session lifetimes', () => {
  const base = { RECONCILER_TEMPLATES: JSON.stringify({ shell: template }) };

  it('defaults to no bounds; reads defaults and upper bounds in seconds', () => {
    expect(loadConfig(base)).toMatchObject({ idleTimeoutSeconds: 0, idleTimeoutMaxSeconds: 0, maxLifetimeSeconds: 0, maxLifetimeMaxSeconds: 0, brakeExpiryFraction: 0.1 });
    expect(loadConfig({ ...base, RECONCILER_IDLE_TIMEOUT_SECONDS: '900', RECONCILER_IDLE_TIMEOUT_MAX_SECONDS: '3600', RECONCILER_MAX_LIFETIME_SECONDS: '28800' })).toMatchObject({ idleTimeoutSeconds: 900, idleTimeoutMaxSeconds: 3600, maxLifetimeSeconds: 28800 });
  });

  it('refuses a default above its upper bound, and "none" (0) where an upper bound exists, naming both variables', () => {
    let caught: unknown;
    try {
      loadConfig({ ...base, RECONCILER_IDLE_TIMEOUT_SECONDS: '7200', RECONCILER_IDLE_TIMEOUT_MAX_SECONDS: '3600', RECONCILER_MAX_LIFETIME_MAX_SECONDS: '86400' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toMatch(/RECONCILER_IDLE_TIMEOUT_SECONDS=7200 exceeds RECONCILER_IDLE_TIMEOUT_MAX_SECONDS=3600/);
    expect(problems).toMatch(/RECONCILER_MAX_LIFETIME_SECONDS=0 \(no bound\) conflicts with RECONCILER_MAX_LIFETIME_MAX_SECONDS=86400/);
  });
});
