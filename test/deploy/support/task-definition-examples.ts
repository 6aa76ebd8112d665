/**
 * The example session and warm task definitions in deploy/ecs/ are exactly what the controller
 * registers for deploy/ecs/templates.example.json (placeholders kept as text). This module
 * builds them with the controller's own code; the test compares, and running this file
 * rewrites them:  node --import tsx test/deploy/support/task-definition-examples.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { templatesSchema } from '../../../src/config/templates.js';
import { taskDefinitionInput } from '../../../src/controller/execute/task-definition.js';
import { familyFor, taskDefinitionContent } from '../../../src/controller/plan/launch-spec.js';
import { contentHash } from '../../../src/observed/idempotency.js';
import { toRegisterTaskDefinitionRequest } from '../../../src/observed/sdk-ecs-api.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const EXAMPLE_PLACEHOLDERS = { ownerId: '${OWNER_ID}', fileSystemId: '${FILE_SYSTEM_ID}', accessPointId: '${ACCESS_POINT_ID}' } as const;
export const SESSION_EXAMPLE = 'deploy/ecs/session-task-definition.example.json';
export const WARM_EXAMPLE = 'deploy/ecs/warm-task-definition.example.json';

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(REPO_ROOT + path, 'utf8'));
}

/** RegisterTaskDefinition requests (ECS wire shape) for a session task (with a user's access point) and a warm task (none yet). */
export function buildExamples(templateName = 'session'): { session: unknown; warm: unknown } {
  const templates = templatesSchema.parse(readJson('deploy/ecs/templates.example.json'));
  const template = templates[templateName];
  if (!template) throw new Error(`templates.example.json has no template ${templateName}`);
  const build = (accessPointId: string | undefined): unknown => {
    const hash = contentHash(taskDefinitionContent(template, templateName, accessPointId));
    const spec = { template: templateName, userId: 'example-user', family: familyFor(templateName, hash), contentHash: hash, accessPointId, env: {}, tags: {} };
    const input = taskDefinitionInput(spec, template, EXAMPLE_PLACEHOLDERS.fileSystemId, EXAMPLE_PLACEHOLDERS.ownerId);
    return JSON.parse(JSON.stringify(toRegisterTaskDefinitionRequest(input)));
  };
  return { session: build(EXAMPLE_PLACEHOLDERS.accessPointId), warm: build(undefined) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { session, warm } = buildExamples();
  writeFileSync(REPO_ROOT + SESSION_EXAMPLE, JSON.stringify(session, null, 2) + '\n');
  writeFileSync(REPO_ROOT + WARM_EXAMPLE, JSON.stringify(warm, null, 2) + '\n');
  console.log(`wrote ${SESSION_EXAMPLE} and ${WARM_EXAMPLE}`);
}
