/**
 * deploy/ecs: the controller's task definitions (own service, and sidecar beside a gateway),
 * the service definition, and the example session/warm task definitions. Checks what ECS
 * cannot check until deploy time: the daemon's environment is one it accepts, the health
 * check and logging settings, that the controller cannot launch or pass itself, and that the
 * examples are exactly what the code registers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { loadConfig } from '../../src/config/load.js';
import { globMatch, type Policy } from './support/iam-eval.js';
import { placeholdersIn, renderedJson, SAMPLE } from './support/placeholders.js';
import { buildExamples, readJson, REPO_ROOT, SESSION_EXAMPLE, WARM_EXAMPLE } from './support/task-definition-examples.js';

interface KeyValue { name: string; value?: string; valueFrom?: string }
interface Container {
  name: string;
  image: string;
  essential?: boolean;
  user?: string;
  readonlyRootFilesystem?: boolean;
  stopTimeout?: number;
  restartPolicy?: { enabled: boolean };
  portMappings?: { containerPort: number }[];
  environment?: KeyValue[];
  secrets?: KeyValue[];
  healthCheck?: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
  logConfiguration?: { logDriver: string; options: Record<string, string> };
}
interface TaskDefinition { family: string; taskRoleArn: string; executionRoleArn: string; networkMode: string; requiresCompatibilities: string[]; containerDefinitions: Container[] }

const SERVICE_TD = 'deploy/ecs/controller-service-task-definition.json';
const SIDECAR_TD = 'deploy/ecs/controller-sidecar-task-definition.json';
const CONTROLLER_TDS = [SERVICE_TD, SIDECAR_TD];
const ENV_NAMES = new Set(Object.values(ENV_VARS).map((v) => v.name));
const taskPolicy = renderedJson<Policy>('deploy/iam/controller-task-role-policy.json');
const execPolicy = renderedJson<Policy>('deploy/iam/controller-execution-role-policy.json');
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
/** The daemon's drain time on SIGTERM, ms: the task's setting, else the variable's default, else the documented 10 s. */
const shutdownGraceMs = (env: Record<string, string>): number =>
  Number(env['RECONCILER_SHUTDOWN_GRACE_MS'] ?? Object.values(ENV_VARS).find((v) => v.name === 'RECONCILER_SHUTDOWN_GRACE_MS')?.default ?? 10_000);
const reconcilerOf = (td: TaskDefinition): Container => {
  const c = td.containerDefinitions.find((x) => x.name === 'reconciler');
  expect(c, `${td.family} has a reconciler container`).toBeDefined();
  return c!;
};
const envOf = (c: Container): Record<string, string> => Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value ?? '']));
const resourcesFor = (p: Policy, action: string): string[] => p.Statement.filter((s) => list(s.Action).includes(action)).flatMap((s) => list(s.Resource));

describe.each(CONTROLLER_TDS)('%s', (path) => {
  const td = renderedJson<TaskDefinition>(path);
  const c = reconcilerOf(td);
  const env = envOf(c);

  it('is a Fargate awsvpc task whose family the controller cannot RunTask', () => {
    expect(td.networkMode).toBe('awsvpc');
    expect(td.requiresCompatibilities).toEqual(['FARGATE']);
    for (const pattern of resourcesFor(taskPolicy, 'ecs:RunTask')) {
      expect(globMatch(pattern, `arn:aws:ecs:${SAMPLE.REGION}:${SAMPLE.ACCOUNT_ID}:task-definition/${td.family}:1`)).toBe(false);
    }
  });

  it('uses the controller roles, which the controller itself may not pass', () => {
    expect(td.taskRoleArn).toBe(`arn:aws:iam::${SAMPLE.ACCOUNT_ID}:role/esr-controller-task`);
    expect(td.executionRoleArn).toBe(`arn:aws:iam::${SAMPLE.ACCOUNT_ID}:role/esr-controller-execution`);
    expect(resourcesFor(taskPolicy, 'iam:PassRole')).not.toContain(td.taskRoleArn);
    expect(resourcesFor(taskPolicy, 'iam:PassRole')).not.toContain(td.executionRoleArn);
  });

  it('sets only variables the daemon reads (or the standard AWS ones), and a config it accepts', () => {
    for (const name of [...Object.keys(env), ...(c.secrets ?? []).map((s) => s.name)]) {
      expect(ENV_NAMES.has(name) || name.startsWith('AWS_'), `${name} is not read by the daemon`).toBe(true);
    }
    const config = loadConfig({ ...env, REDIS_PASSWORD: 'from-secrets-manager' });
    expect(config.cluster).toBe(SAMPLE.CLUSTER);
    expect(config.ownerId).toBe(SAMPLE.OWNER_ID);
    expect(config.efsFileSystemId).toBe(SAMPLE.FILE_SYSTEM_ID);
    expect(Object.keys(config.templates)).toEqual(['session']);
  });

  it('embeds exactly the example templates and pools', () => {
    expect(JSON.parse(env['RECONCILER_TEMPLATES']!)).toEqual(renderedJson('deploy/ecs/templates.example.json'));
    expect(JSON.parse(env['RECONCILER_POOLS']!)).toEqual(renderedJson('deploy/ecs/pools.example.json'));
  });

  it('keeps secrets out of plain environment variables', () => {
    expect(Object.keys(env)).not.toContain('REDIS_PASSWORD');
    for (const s of c.secrets ?? []) expect(resourcesFor(execPolicy, 'secretsmanager:GetSecretValue')).toContain(s.valueFrom);
  });

  it('has a read-only root file system, a non-root user and a stopTimeout above the drain grace', () => {
    expect(c.readonlyRootFilesystem).toBe(true);
    expect(c.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    expect(c.stopTimeout).toBeGreaterThan(shutdownGraceMs(env) / 1000 + 5);
    expect(c.stopTimeout).toBeLessThanOrEqual(120);
  });

  it('health-checks /healthz on the configured port with node, not curl', () => {
    const port = env['RECONCILER_HTTP_PORT'] ?? ENV_VARS.httpPort.default;
    const hc = c.healthCheck!;
    expect(hc.command[0]).toBe('CMD');
    expect(hc.command[1]).toBe('node');
    expect(hc.command.join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    expect(hc.command.join(' ')).not.toMatch(/\b(curl|wget)\b/);
    expect(hc.timeout).toBeLessThan(hc.interval);
    expect(c.portMappings?.map((p) => p.containerPort)).toContain(Number(port));
  });

  it('logs with awslogs in non-blocking mode with a bounded buffer, to the group the execution role may write', () => {
    for (const container of td.containerDefinitions) {
      const log = container.logConfiguration!;
      expect(log.logDriver).toBe('awslogs');
      expect(log.options['mode']).toBe('non-blocking');
      expect(log.options['max-buffer-size']).toMatch(/^\d+[km]$/);
      const group = `arn:aws:logs:${SAMPLE.REGION}:${SAMPLE.ACCOUNT_ID}:log-group:${log.options['awslogs-group']}:*`;
      expect(resourcesFor(execPolicy, 'logs:PutLogEvents')).toContain(group);
    }
  });

  it('pulls only images from repositories the execution role may read', () => {
    const repos = resourcesFor(execPolicy, 'ecr:BatchGetImage');
    for (const container of td.containerDefinitions) {
      const repo = container.image.split('/')[1]!.split(':')[0]!;
      expect(repos).toContain(`arn:aws:ecr:${SAMPLE.REGION}:${SAMPLE.ACCOUNT_ID}:repository/${repo}`);
    }
  });
});

describe('controller as a sidecar', () => {
  const td = renderedJson<TaskDefinition>(SIDECAR_TD);
  it('sits beside an essential gateway; a controller crash restarts the controller container, not the gateway task', () => {
    expect(td.containerDefinitions.find((x) => x.name === 'gateway')?.essential).toBe(true);
    const c = reconcilerOf(td);
    expect(c.essential).toBe(false);
    expect(c.restartPolicy?.enabled).toBe(true);
  });
});

describe('controller as its own service', () => {
  const td = renderedJson<TaskDefinition>(SERVICE_TD);
  const svc = renderedJson<{ taskDefinition: string; desiredCount: number; launchType: string; deploymentConfiguration: { deploymentCircuitBreaker: { enable: boolean } }; networkConfiguration: { awsvpcConfiguration: { assignPublicIp: string } } }>('deploy/ecs/controller-service.json');
  it('runs two replicas of the controller task definition (leader election picks one)', () => {
    expect(svc.desiredCount).toBe(2);
    expect(svc.taskDefinition).toBe(td.family);
    expect(svc.launchType).toBe('FARGATE');
    expect(reconcilerOf(td).essential).toBe(true);
    expect(svc.deploymentConfiguration.deploymentCircuitBreaker.enable).toBe(true);
    expect(svc.networkConfiguration.awsvpcConfiguration.assignPublicIp).toBe('DISABLED');
  });
});

describe('example session and warm task definitions', () => {
  it('are exactly what the controller registers for templates.example.json (regenerate: see task-definition-examples.ts)', () => {
    const built = buildExamples();
    expect(readJson(SESSION_EXAMPLE)).toEqual(built.session);
    expect(readJson(WARM_EXAMPLE)).toEqual(built.warm);
  });

  it('mount the user access point with IAM authorization and TLS; a warm task has no user yet, so no volume', () => {
    const session = renderedJson<{ family: string; volumes: { efsVolumeConfiguration: { fileSystemId: string; transitEncryption: string; authorizationConfig: { accessPointId: string; iam: string } } }[] }>(SESSION_EXAMPLE);
    const efs = session.volumes[0]!.efsVolumeConfiguration;
    expect(efs).toMatchObject({ fileSystemId: SAMPLE.FILE_SYSTEM_ID, transitEncryption: 'ENABLED', authorizationConfig: { accessPointId: SAMPLE.ACCESS_POINT_ID, iam: 'ENABLED' } });
    expect(session.family).toMatch(/^esr-session-[0-9a-f]+$/);
    expect(renderedJson<{ volumes?: unknown }>(WARM_EXAMPLE).volumes).toBeUndefined();
  });

  it('use exactly the roles the controller may pass', () => {
    const session = renderedJson<{ taskRoleArn: string; executionRoleArn: string }>(SESSION_EXAMPLE);
    expect(resourcesFor(taskPolicy, 'iam:PassRole').sort()).toEqual([session.executionRoleArn, session.taskRoleArn].sort());
  });

  it('are launchable under the policy: the family matches the RunTask resource', () => {
    const { family } = renderedJson<{ family: string }>(SESSION_EXAMPLE);
    const arn = `arn:aws:ecs:${SAMPLE.REGION}:${SAMPLE.ACCOUNT_ID}:task-definition/${family}:1`;
    expect(resourcesFor(taskPolicy, 'ecs:RunTask').some((p) => globMatch(p, arn))).toBe(true);
  });
});

describe('placeholders', () => {
  it('every ${NAME} in deploy/ecs, deploy/iam and deploy/eventbridge is documented in docs/deploy.md', () => {
    const docs = readFileSync(REPO_ROOT + 'docs/deploy.md', 'utf8');
    const files = ['deploy/ecs', 'deploy/iam', 'deploy/eventbridge'].flatMap((d) => readdirSync(REPO_ROOT + d).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`));
    expect(files.length).toBeGreaterThan(8);
    for (const f of files) for (const name of placeholdersIn(f)) expect(docs, `${name} (used in ${f})`).toContain(`\${${name}}`);
  });
});
