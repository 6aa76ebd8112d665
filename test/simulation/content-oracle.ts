/**
 * The content oracle (issue #14): what the task serving a Running+Ready session must run,
 * worked out from the session's spec and the simulation's configuration alone, and compared
 * with what the simulator says the task runs (its task definition, effective environment,
 * placement and access point). It never asks the controller how it computes a launch: two
 * independent derivations that must agree.
 *
 * The rules (README, "What a session runs"):
 * - template: the template's image and placement (launch type or capacity provider);
 * - environment: the template's own variables unchanged; every gateway variable of the spec
 *   with its value and no other gateway variable; the controller's identity variables
 *   (`ESR_SESSION_ID`, `ESR_USER_ID`) equal to the session's, and present on a cold launch
 *   (a warm task started before its session existed carries its identity in tags only);
 * - identity tags: `esr:session` and `esr:user` are the session's;
 * - persistence: `none` mounts nothing; `required` mounts an access point of the session's
 *   user on the configured file system; `preferred` mounts one of the user's or mounts nothing
 *   and says so (`Persistence=False`).
 */
import type { SessionSpec, SessionStatus } from '../../src/desired/schema.js';
import type { SimStateDump, SimTaskSummary } from '../../src/sim/core.js';
import { SIM_FILE_SYSTEM, SIM_PLAN } from './config.js';

const IDENTITY_ENV = { session: 'ESR_SESSION_ID', user: 'ESR_USER_ID' } as const;

/** What is wrong with `task` as the server of `spec` (empty: nothing). */
export function contentMismatches(spec: SessionSpec, status: SessionStatus, task: SimTaskSummary, accessPoints: SimStateDump['accessPoints']): string[] {
  const out: string[] = [];
  const template = SIM_PLAN.templates[spec.template];
  if (!template) return [`template ${spec.template} is not configured, yet the session is Running`];
  const c = task.content;
  if (c.image !== template.image) out.push(`image ${c.image || '(unknown)'} is not template ${spec.template}'s ${template.image}`);
  if (c.placement !== template.capacityProvider) out.push(`placed on ${c.placement}, template ${spec.template} asks for ${template.capacityProvider}`);

  for (const [k, v] of Object.entries(template.environment)) if (c.environment[k] !== v) out.push(`template variable ${k}=${JSON.stringify(c.environment[k] ?? null)}, template says ${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(spec.env)) if (c.environment[k] !== v) out.push(`env ${k}=${JSON.stringify(c.environment[k] ?? null)}, spec generation ${spec.generation} says ${JSON.stringify(v)}`);
  for (const k of Object.keys(c.environment)) {
    if (k in template.environment || k in spec.env || k.startsWith('ESR_')) continue;
    out.push(`env ${k}=${JSON.stringify(c.environment[k])} is not in spec generation ${spec.generation}`);
  }
  const cold = task.tags['esr:pool'] === undefined;
  const wantEnv: Record<string, string> = { [IDENTITY_ENV.session]: spec.id, [IDENTITY_ENV.user]: spec.userId };
  for (const [k, v] of Object.entries(wantEnv)) {
    const have = c.environment[k];
    if (have === undefined ? cold : have !== v) out.push(`identity variable ${k}=${JSON.stringify(have ?? null)}, the session's is ${JSON.stringify(v)}`);
  }
  if (task.tags['esr:session'] !== spec.id) out.push(`tag esr:session=${JSON.stringify(task.tags['esr:session'] ?? null)}, not ${spec.id}`);
  if (task.tags['esr:user'] !== spec.userId) out.push(`tag esr:user=${JSON.stringify(task.tags['esr:user'] ?? null)}, the spec's user is ${spec.userId}`);

  const ap = c.accessPointId === undefined ? undefined : accessPoints.find((a) => a.id === c.accessPointId);
  if (c.accessPointId !== undefined) {
    if (spec.persistence === 'none') out.push(`mounts access point ${c.accessPointId} with persistence: none`);
    if (!ap) out.push(`mounts access point ${c.accessPointId}, which EFS does not know`);
    else if (ap.tags['esr:user'] !== spec.userId || ap.fileSystemId !== SIM_FILE_SYSTEM) out.push(`mounts access point ${ap.id} of user ${ap.tags['esr:user'] ?? '?'} on ${ap.fileSystemId}, the session's user is ${spec.userId}`);
  } else if (spec.persistence === 'required') {
    out.push('mounts no access point with persistence: required');
  } else if (spec.persistence === 'preferred') {
    const p = status.conditions.find((x) => x.type === 'Persistence');
    if (p?.status !== 'False') out.push(`mounts no access point, but the status says Persistence=${p?.status ?? 'absent'} (${p?.reason ?? '-'})`);
  }
  return out;
}
