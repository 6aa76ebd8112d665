/**
 * docker-compose.yml, checked for structure (no Docker engine here to start it): the four
 * services exist; every reconciler verb and flag it runs exists in the CLI; the controller's
 * variables are ones the daemon reads and form a config it accepts; endpoints, ports,
 * network namespaces, depends_on and the Prometheus target agree with each other.
 *
 * YAML is parsed with js-yaml (a dev dependency).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_ACCOUNT } from '../../src/sim/arns.js';
import { TASK_EVENTS_QUEUE } from '../../src/sim/core.js';
import { REPO_ROOT } from './support/task-definition-examples.js';

const yaml = jsYaml;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  network_mode?: string;
  networks?: Record<string, { aliases?: string[] } | null>;
  volumes?: string[];
  read_only?: boolean;
}
const compose = yaml.load(readFileSync(REPO_ROOT + 'docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const svc = (name: string): Service => {
  expect(services[name], `service ${name}`).toBeDefined();
  return services[name]!;
};
const dependsOn = (s: Service): string[] => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const containerPorts = (s: Service): number[] => (s.ports ?? []).map((p) => Number(p.split(':').pop()));
const helpCache = new Map<string, string>();
function cliHelp(verb: string): string {
  if (!helpCache.has(verb)) helpCache.set(verb, execFileSync('node', ['bin/reconciler.js', verb, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' }));
  return helpCache.get(verb)!;
}
/** `--port 4566 --seed 1` -> { port: '4566', seed: '1' }. */
function flags(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) if (args[i]!.startsWith('--')) out[args[i]!.slice(2)] = args[i + 1]?.startsWith('--') === false ? args[++i]! : '';
  return out;
}
const reconcilerServices = Object.entries(services).filter(([, s]) => s.command?.[1] === 'bin/reconciler.js');

describe('docker-compose.yml', () => {
  it('has redis, the simulator, the controller and prometheus', () => {
    expect(Object.keys(services).sort()).toEqual(['controller', 'prometheus', 'redis', 'sim']);
  });

  it('runs only reconciler verbs and flags that exist (checked with --help)', () => {
    expect(reconcilerServices.map(([n]) => n).sort()).toEqual(['controller', 'sim']);
    for (const [name, s] of reconcilerServices) {
      expect(s.command![0], `${name} starts node, not npm`).toBe('node');
      const [verb, ...args] = s.command!.slice(2);
      const help = cliHelp(verb!);
      expect(help, `${name}: verb ${verb}`).toMatch(new RegExp(`Usage: reconciler ${verb}\\b`));
      for (const flag of Object.keys(flags(args))) expect(help, `${name}: ${verb} --${flag}`).toContain(`--${flag}`);
    }
  });

  it('builds the reconciler services from the real Dockerfile, as one image', () => {
    for (const [name, s] of reconcilerServices) {
      expect(existsSync(REPO_ROOT + s.build!.dockerfile), `${name} dockerfile`).toBe(true);
      expect(s.image).toBe('ecs-session-reconciler:local');
    }
  });

  it('sets only variables the daemon reads (or standard AWS ones), forming a config it accepts', () => {
    const env = svc('controller').environment!;
    const known = new Set(Object.values(ENV_VARS).map((v) => v.name));
    for (const name of Object.keys(env)) expect(known.has(name) || name.startsWith('AWS_'), `${name}`).toBe(true);
    const config = loadConfig(env);
    expect(Object.keys(config.pools)).toEqual(['default']);
    expect(config.templates[config.pools['default']!.template]).toBeDefined();
  });

  it('points the controller at the simulator port and the redis service', () => {
    const env = svc('controller').environment!;
    const simPort = flags(svc('sim').command!.slice(3))['port'];
    const endpoint = new URL(env['AWS_ENDPOINT_URL']!);
    expect(endpoint.port).toBe(simPort);
    const redis = new URL(env['REDIS_URL']!);
    expect(redis.hostname).toBe('redis');
    expect(containerPorts(svc('redis'))).toContain(Number(redis.port));
  });

  it('reaches the simulator the way it binds: loopback needs a shared network namespace', () => {
    const simHelp = cliHelp('sim');
    const controller = svc('controller');
    const endpoint = new URL(controller.environment!['AWS_ENDPOINT_URL']!);
    if (!simHelp.includes('--host')) {
      // `reconciler sim` listens on 127.0.0.1 only: the controller must live in the sim's namespace.
      expect(simHelp).toContain('127.0.0.1');
      expect(controller.network_mode).toBe('service:sim');
      expect(endpoint.hostname).toBe('127.0.0.1');
    } else {
      expect(flags(svc('sim').command!.slice(3))['host']).toBe('0.0.0.0');
      expect(endpoint.hostname).toBe('sim');
    }
  });

  it("reads the simulator's task events: the queue URL names the simulator's queue where its endpoint is, and the simulator delivers events", () => {
    const env = svc('controller').environment!;
    const queue = new URL(env['RECONCILER_EVENTS_QUEUE_URL']!);
    expect(queue.host).toBe(new URL(env['AWS_ENDPOINT_URL']!).host);
    expect(queue.pathname).toBe(`/${DEFAULT_ACCOUNT.accountId}/${TASK_EVENTS_QUEUE}`);
    expect(svc('sim').command).not.toContain('--no-events');
  });

  it('publishes ports only where the container owns its network, including the controller metrics port', () => {
    for (const [name, s] of Object.entries(services)) if (s.network_mode?.startsWith('service:')) expect(s.ports, `${name} shares a namespace`).toBeUndefined();
    const metricsPort = Number(svc('controller').environment!['RECONCILER_HTTP_PORT'] ?? ENV_VARS.httpPort.default);
    const owner = svc('controller').network_mode?.startsWith('service:') ? svc(svc('controller').network_mode!.slice('service:'.length)) : svc('controller');
    expect(containerPorts(owner)).toContain(metricsPort);
  });

  it('depends only on existing services, without cycles; the controller waits for healthy Redis', () => {
    for (const [name, s] of Object.entries(services)) for (const d of dependsOn(s)) expect(services[d], `${name} -> ${d}`).toBeDefined();
    const visiting = new Set<string>();
    const visit = (n: string, path: string[]): void => {
      expect(path, `cycle ${path.join(' -> ')} -> ${n}`).not.toContain(n);
      if (visiting.has(n)) return;
      visiting.add(n);
      for (const d of dependsOn(services[n]!)) visit(d, [...path, n]);
    };
    for (const n of Object.keys(services)) visit(n, []);
    const ns = svc('controller').network_mode;
    if (ns?.startsWith('service:')) expect(dependsOn(svc('controller'))).toContain(ns.slice('service:'.length));
    expect((svc('controller').depends_on as Record<string, { condition: string }>)['redis']?.condition).toBe('service_healthy');
  });

  it('runs the controller with a read-only root file system, as in ECS', () => {
    expect(svc('controller').read_only).toBe(true);
  });

  it('has Prometheus scrape the controller at its metrics port, from a config file that exists', () => {
    const mount = svc('prometheus').volumes!.find((v) => v.includes('prometheus.yml'))!;
    const hostPath = mount.split(':')[0]!.replace(/^\.\//, '');
    expect(hostPath).toBe('deploy/compose/prometheus.yml');
    const prom = yaml.load(readFileSync(REPO_ROOT + hostPath, 'utf8')) as { scrape_configs: { metrics_path?: string; static_configs: { targets: string[] }[] }[] };
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const metricsPort = svc('controller').environment!['RECONCILER_HTTP_PORT'] ?? ENV_VARS.httpPort.default;
    expect(targets).toContain(`controller:${metricsPort}`);
    expect(prom.scrape_configs[0]!.metrics_path ?? '/metrics').toBe('/metrics');
    // `controller` must resolve: a service name with its own network, or an alias on the namespace owner.
    const aliases = Object.values(services).flatMap((s) => Object.values(s.networks ?? {}).flatMap((n) => n?.aliases ?? []));
    expect(svc('controller').network_mode === undefined || aliases.includes('controller')).toBe(true);
    expect(dependsOn(svc('prometheus'))).toContain('controller');
  });
});
