/**
 * What the CLI's Redis verbs can know of the controller's configuration from the same
 * environment `reconciler run` reads, so they refuse what the controller would refuse or cap:
 * template names (RECONCILER_TEMPLATES or RECONCILER_TEMPLATES_FILE) and pools with their
 * maxSize (RECONCILER_POOLS). Each is undefined when its variable is unset.
 */
import { readFileSync } from 'node:fs';
import { poolsSchema, type PoolConfig } from '../../src/config/templates.js';

function parseJsonVar(name: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Names of the configured templates, when RECONCILER_TEMPLATES or RECONCILER_TEMPLATES_FILE is set. */
export function templateNamesFromEnv(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  let raw: unknown;
  if (env.RECONCILER_TEMPLATES) raw = parseJsonVar('RECONCILER_TEMPLATES', env.RECONCILER_TEMPLATES);
  else if (env.RECONCILER_TEMPLATES_FILE) {
    let text: string;
    try {
      text = readFileSync(env.RECONCILER_TEMPLATES_FILE, 'utf8');
    } catch (err) {
      throw new Error(`RECONCILER_TEMPLATES_FILE: cannot read ${env.RECONCILER_TEMPLATES_FILE}: ${(err as Error).message}`, { cause: err });
    }
    raw = parseJsonVar(`RECONCILER_TEMPLATES_FILE (${env.RECONCILER_TEMPLATES_FILE})`, text);
  } else return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('RECONCILER_TEMPLATES must be a JSON object keyed by template name');
  return Object.keys(raw);
}

/** The configured pools (maxSize defaulted as the controller does), when RECONCILER_POOLS is set. */
export function poolsFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, PoolConfig> | undefined {
  if (!env.RECONCILER_POOLS) return undefined;
  const parsed = poolsSchema.safeParse(parseJsonVar('RECONCILER_POOLS', env.RECONCILER_POOLS));
  if (!parsed.success) throw new Error(`RECONCILER_POOLS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * Refuses a warm-pool target the controller would not honour: a pool missing from
 * RECONCILER_POOLS (kept at 0) or a target above its maxSize (capped). Without RECONCILER_POOLS
 * nothing is known here and nothing is refused.
 */
export function checkPoolTarget(pool: string, target: number, pools: Readonly<Record<string, PoolConfig>> | undefined): void {
  if (!pools) return;
  const cfg = pools[pool];
  if (!cfg) throw new Error(`pool ${pool} is not in RECONCILER_POOLS (configured: ${Object.keys(pools).join(', ') || 'none'}); the controller would keep it at 0 tasks`);
  if (target > cfg.maxSize) throw new Error(`target ${target} is above maxSize ${cfg.maxSize} of pool ${pool} (RECONCILER_POOLS); the controller would cap it at ${cfg.maxSize}: ask for at most ${cfg.maxSize}, or raise maxSize`);
}
