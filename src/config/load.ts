/**
 * Start-up configuration: read once from the environment, validated as a whole, compiled
 * into one frozen object. Every problem is listed at once (not the first only), each naming
 * the variable, so an operator fixes the deployment in one round.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ENV_VARS, type EnvValues, type EnvVarKey } from './env-vars.js';
import { poolsSchema, templatesSchema, type PoolConfig, type TaskTemplates } from './templates.js';
import { loadTimeoutsConfig, parseRateLimitsConfig, type RateLimitsConfig, type TimeoutsConfig } from '../controller/resilience/index.js';
import { leaderConfigProblems } from '../controller/leader/leader-config.js';
import { redisConfigFromEnv } from '../desired/redis-connection.js';

export interface ReconcilerConfig extends EnvValues {
  templates: TaskTemplates;
  pools: Record<string, PoolConfig>;
  timeouts: TimeoutsConfig;
  rateLimits: RateLimitsConfig;
}

/** Parses an optional JSON variable through a parser that throws; records the problem under the variable's name. */
function parseJsonWith<T>(name: string, text: string | undefined, parse: (input: unknown) => T, problems: string[]): T | undefined {
  const raw = text === undefined ? {} : parseJson(name, text, problems);
  if (raw === undefined) return undefined;
  try {
    return parse(raw);
  } catch (err) {
    problems.push(`${name}: ${err instanceof z.ZodError ? issuesText(err) : (err as Error).message}`);
    return undefined;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function issuesText(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${issueMessage(i)}`).join('; ');
}

/** An issue's message; for a bad record key (a template or pool name), the rule the key broke. */
function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_key' && i.issues.length > 0) return `invalid name: ${i.issues.map((k) => k.message).join('; ')}`;
  return i.message;
}

function parseJson(label: string, text: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    problems.push(`${label}: not valid JSON (${(err as Error).message})`);
    return undefined;
  }
}

/** A default above its upper bound, or "none" where an upper bound exists, is refused (naming both variables). */
function lifetimeConfigProblems(values: Partial<Record<EnvVarKey, unknown>>): string[] {
  const out: string[] = [];
  const pairs = [
    ['RECONCILER_IDLE_TIMEOUT_SECONDS', values.idleTimeoutSeconds, 'RECONCILER_IDLE_TIMEOUT_MAX_SECONDS', values.idleTimeoutMaxSeconds],
    ['RECONCILER_MAX_LIFETIME_SECONDS', values.maxLifetimeSeconds, 'RECONCILER_MAX_LIFETIME_MAX_SECONDS', values.maxLifetimeMaxSeconds],
  ] as const;
  for (const [name, dflt, maxName, max] of pairs) {
    if (typeof dflt !== 'number' || typeof max !== 'number' || max === 0) continue;
    if (dflt === 0) out.push(`${name}=0 (no bound) conflicts with ${maxName}=${max}: set a default of at most ${max}`);
    else if (dflt > max) out.push(`${name}=${dflt} exceeds ${maxName}=${max}`);
  }
  return out;
}

/** Parses `env` into a config, or throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ReconcilerConfig {
  const problems: string[] = [];
  const values: Partial<Record<EnvVarKey, unknown>> = {};
  for (const [key, spec] of Object.entries(ENV_VARS) as Array<[EnvVarKey, (typeof ENV_VARS)[EnvVarKey]]>) {
    const raw = env[spec.name];
    const parsed = (spec.schema as z.ZodType).safeParse(raw === '' ? undefined : raw);
    if (parsed.success) values[key] = parsed.data;
    else problems.push(`${spec.name}=${JSON.stringify(raw ?? null)}: ${issuesText(parsed.error)}`);
  }

  let templatesRaw: unknown;
  if (typeof values.templatesJson === 'string') templatesRaw = parseJson('RECONCILER_TEMPLATES', values.templatesJson, problems);
  else if (typeof values.templatesFile === 'string') {
    try {
      templatesRaw = parseJson(`RECONCILER_TEMPLATES_FILE (${values.templatesFile})`, readFileSync(values.templatesFile, 'utf8'), problems);
    } catch (err) {
      problems.push(`RECONCILER_TEMPLATES_FILE: cannot read ${values.templatesFile} (${(err as Error).message})`);
    }
  } else problems.push('RECONCILER_TEMPLATES or RECONCILER_TEMPLATES_FILE: required (which task templates sessions may use)');

  let templates: TaskTemplates = {};
  if (templatesRaw !== undefined) {
    const t = templatesSchema.safeParse(templatesRaw);
    if (t.success) templates = t.data;
    else problems.push(`${typeof values.templatesJson === 'string' ? 'RECONCILER_TEMPLATES' : `RECONCILER_TEMPLATES_FILE (${String(values.templatesFile)})`}: ${issuesText(t.error)}`);
  }

  let pools: Record<string, PoolConfig> = {};
  const poolsRaw = typeof values.poolsJson === 'string' ? parseJson('RECONCILER_POOLS', values.poolsJson, problems) : {};
  const p = poolsSchema.safeParse(poolsRaw);
  if (p.success) {
    pools = p.data;
    for (const [pool, cfg] of Object.entries(pools)) {
      if (Object.keys(templates).length > 0 && !templates[cfg.template]) {
        problems.push(`RECONCILER_POOLS.${pool}.template: "${cfg.template}" is not a configured template (${Object.keys(templates).join(', ')})`);
      }
    }
  } else if (poolsRaw !== undefined) problems.push(`RECONCILER_POOLS: ${issuesText(p.error)}`);

  const timeouts = parseJsonWith('RECONCILER_TIMEOUTS', values.timeoutsJson as string | undefined, loadTimeoutsConfig, problems);
  // Default RunTask limits follow the templates' launch types (defaultBucketsFor); RECONCILER_RATE_LIMITS overrides.
  const rateLimits = parseJsonWith('RECONCILER_RATE_LIMITS', values.rateLimitsJson as string | undefined, (raw) => parseRateLimitsConfig(raw, templates), problems);

  try {
    redisConfigFromEnv(env); // the connection's own rules (URL scheme, TLS, sentinel name...), each naming its variable
  } catch (err) {
    problems.push((err as Error).message);
  }
  if (values.leaderElection && timeouts) problems.push(...leaderConfigProblems(values as EnvValues, timeouts));
  problems.push(...lifetimeConfigProblems(values));

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...(values as EnvValues), templates, pools, timeouts: timeouts!, rateLimits: rateLimits! });
}
