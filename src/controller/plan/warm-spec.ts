/**
 * Warm tasks are generic: the template's task definition with no per-user access point and
 * no session environment. Their content hash decides whether a warm task is outdated.
 */
import type { TaskTemplate } from '../../config/templates.js';
import { contentHash } from '../../observed/idempotency.js';
import { TAG } from '../../observed/model.js';
import { launchTags } from '../../observed/task-tags.js';
import type { LaunchSpec } from './actions.js';
import { familyFor, launchHash, taskDefinitionContent } from './launch-spec.js';

/** Tag naming the batch intent (its clientToken) a warm task was launched by. */
export const BATCH_TAG = 'esr:batch';

export function warmLaunchSpec(args: { pool: string; templateName: string; template: TaskTemplate; ownerId: string; clientToken?: string }): LaunchSpec {
  const tdHash = contentHash(taskDefinitionContent(args.template, args.templateName, undefined));
  const env: Record<string, string> = {};
  const tags = launchTags({ owner: args.ownerId, role: 'warm', pool: args.pool, specHash: launchHash(tdHash, env) }, args.clientToken ? { [BATCH_TAG]: args.clientToken } : {});
  return { template: args.templateName, userId: '', family: familyFor(args.templateName, tdHash), contentHash: tdHash, accessPointId: undefined, env, tags };
}

/** The `esr:spec-hash` a current warm task of this template carries. */
export function currentWarmHash(spec: LaunchSpec): string {
  return spec.tags[TAG.specHash]!;
}
