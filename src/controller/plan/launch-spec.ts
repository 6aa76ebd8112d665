/**
 * What a task runs: the one home of the launch fingerprint. Launch, warm claim, drift
 * detection and status all ask this file, so whether a session runs its spec never depends on
 * the path it took.
 *
 * A launch is made of
 * - the task definition content (template: image, size, roles, template environment, logs,
 *   and the EFS access point it mounts, if any): one registered revision per content, its
 *   family name carries the content hash (`esr-<template>-<hash>`);
 * - the placement (launch type or capacity provider, from the template);
 * - the gateway's environment (`spec.env`), sent as RunTask container overrides;
 * - the identity of the session (session id, user id): tags on every task, and the variables
 *   `ESR_SESSION_ID` / `ESR_USER_ID` on a cold launch.
 *
 * The fingerprint (`esr:spec-hash` tag) hashes the first three: the *content*. Identity is
 * checked separately, from the tags. A warm task is a launch with no access point and no
 * gateway environment, so its fingerprint equals that of a cold launch of a session with an
 * empty `env` and no mount: a warm task can serve exactly the sessions whose content it is
 * (persistence `none` or `preferred`, no gateway env). Labels never reach a task and are not
 * part of anything here.
 */
import type { TaskTemplate } from '../../config/templates.js';
import type { SessionSpec } from '../../desired/schema.js';
import { TAG, type ObservedAccessPoint, type ObservedTask } from '../../observed/model.js';
import { contentHash } from '../../observed/idempotency.js';
import { launchTags } from '../../observed/task-tags.js';
import type { LaunchSpec } from './actions.js';

/** Tag naming the batch intent (its clientToken) a warm task was launched by. */
export const BATCH_TAG = 'esr:batch';
/** Value of the `esr:access-point` tag of a task that mounts no access point. */
export const NO_ACCESS_POINT = 'none';
/** The controller's own per-session variables (cold launches). Reserved: the gateway may not set `ESR_*`. */
export const IDENTITY_ENV = { sessionId: 'ESR_SESSION_ID', userId: 'ESR_USER_ID' } as const;

/** The task-definition content for a template, with or without a user's access point. */
export function taskDefinitionContent(template: TaskTemplate, templateName: string, accessPointId: string | undefined): Record<string, unknown> {
  return {
    template: templateName,
    image: template.image,
    containerName: template.containerName,
    port: template.port,
    cpu: template.cpu,
    memory: template.memory,
    executionRoleArn: template.executionRoleArn,
    taskRoleArn: template.taskRoleArn,
    environment: template.environment,
    efs: accessPointId && template.efsMountPath ? { accessPointId, mountPath: template.efsMountPath } : undefined,
    logs: template.logs,
  };
}

/**
 * Task definition family of a template's content. ECS family names allow letters, digits, `_`
 * and `-` (up to 255); template names may also contain `.`, written as `_` here. Two names that
 * differ only there share a family only when their content hash is the same, i.e. the same
 * task definition. Source: ECS RegisterTaskDefinition, `family`.
 */
export function familyFor(templateName: string, hash: string): string {
  return `esr-${templateName.replaceAll('.', '_')}-${hash}`;
}

/** Memo of content hashes per template object (configuration is compiled once and never mutated). */
const tdHashes = new WeakMap<TaskTemplate, Map<string, string>>();
const fingerprints = new WeakMap<TaskTemplate, Map<string, string>>();

/** Content hash of the task definition of `template` with `accessPointId` (memoised). */
export function taskDefinitionHash(template: TaskTemplate, templateName: string, accessPointId: string | undefined): string {
  let m = tdHashes.get(template);
  if (!m) tdHashes.set(template, (m = new Map()));
  const k = `${templateName}\u0000${accessPointId ?? ''}`;
  let h = m.get(k);
  if (h === undefined) m.set(k, (h = contentHash(taskDefinitionContent(template, templateName, accessPointId))));
  return h;
}

/**
 * The launch fingerprint: a hash of the task definition content, the placement and the
 * gateway's environment. Pure: the same inputs give the same fingerprint on every replica.
 */
export function launchFingerprint(template: TaskTemplate, templateName: string, accessPointId: string | undefined, env: Readonly<Record<string, string>>): string {
  let m = fingerprints.get(template);
  if (!m) fingerprints.set(template, (m = new Map()));
  const k = `${templateName}\u0000${accessPointId ?? ''}\u0000${JSON.stringify(Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  let h = m.get(k);
  if (h === undefined) {
    h = contentHash({ td: taskDefinitionHash(template, templateName, accessPointId), placement: template.capacityProvider, env });
    if (m.size > 10_000) m.clear();
    m.set(k, h);
  }
  return h;
}

export function sessionLaunchSpec(args: {
  spec: SessionSpec;
  template: TaskTemplate;
  accessPointId: string | undefined;
  incarnation: number;
  ownerId: string;
}): LaunchSpec {
  const { spec, template, accessPointId, incarnation, ownerId } = args;
  const hash = taskDefinitionHash(template, spec.template, accessPointId);
  const tags = launchTags(
    { owner: ownerId, role: 'session', sessionId: spec.id, incarnation, specHash: launchFingerprint(template, spec.template, accessPointId, spec.env) },
    { [TAG.user]: spec.userId, [TAG.accessPoint]: accessPointId ?? NO_ACCESS_POINT, ...(spec.uid !== undefined ? { [TAG.uid]: spec.uid } : {}) },
  );
  return {
    template: spec.template,
    userId: spec.userId,
    family: familyFor(spec.template, hash),
    contentHash: hash,
    accessPointId,
    env: { ...spec.env, [IDENTITY_ENV.sessionId]: spec.id, [IDENTITY_ENV.userId]: spec.userId },
    tags,
  };
}

/** A warm task: the template's task definition with no access point and no session environment. */
export function warmLaunchSpec(args: { pool: string; templateName: string; template: TaskTemplate; ownerId: string; clientToken?: string }): LaunchSpec {
  const tdHash = taskDefinitionHash(args.template, args.templateName, undefined);
  const extra: Record<string, string> = { [TAG.accessPoint]: NO_ACCESS_POINT, ...(args.clientToken ? { [BATCH_TAG]: args.clientToken } : {}) };
  const tags = launchTags({ owner: args.ownerId, role: 'warm', pool: args.pool, specHash: launchFingerprint(args.template, args.templateName, undefined, {}) }, extra);
  return { template: args.templateName, userId: '', family: familyFor(args.templateName, tdHash), contentHash: tdHash, accessPointId: undefined, env: {}, tags };
}

/** The fingerprint a current warm task of this launch spec carries. */
export function currentWarmHash(spec: LaunchSpec): string {
  return spec.tags[TAG.specHash]!;
}

/**
 * Whether `task` runs what `spec` asks for, judged from its tags:
 * - `yes`: its content fingerprint is the spec's with the access point it mounts, that access
 *   point is allowed by `persistence` (none: no mount; required: a mount; preferred: either) and,
 *   when EFS is readable, is the user's current one;
 * - `no`: it runs something else (another env, template, placement, or a mount the spec forbids);
 * - `unknown`: its tags do not say yet (ECS tags may show up late): hold, decide later.
 * Identity (session, user) is checked by the caller.
 */
export function servesSpec(
  task: Pick<ObservedTask, 'tags'>,
  args: { spec: SessionSpec; template: TaskTemplate; userAccessPoint: ObservedAccessPoint | undefined; accessPointsKnown: boolean },
): 'yes' | 'no' | 'unknown' {
  const { spec, template } = args;
  const have = task.tags[TAG.specHash];
  if (have === undefined || have === '') return 'unknown';
  const apTag = task.tags[TAG.accessPoint];
  if (apTag === undefined) {
    // A task launched before the access-point tag existed: the unmounted and the current mount are the candidates.
    if (spec.persistence !== 'required' && have === launchFingerprint(template, spec.template, undefined, spec.env)) return 'yes';
    if (!args.accessPointsKnown) return 'unknown';
    const ap = args.userAccessPoint?.id;
    return ap !== undefined && spec.persistence !== 'none' && have === launchFingerprint(template, spec.template, ap, spec.env) ? 'yes' : 'no';
  }
  const mounted = apTag !== NO_ACCESS_POINT ? apTag : undefined;
  if (mounted === undefined ? spec.persistence === 'required' : spec.persistence === 'none') return 'no';
  if (mounted !== undefined && args.accessPointsKnown) {
    // No access point of the user seen at all: the read may have missed it; never replace on that.
    if (args.userAccessPoint === undefined) return 'unknown';
    if (args.userAccessPoint.id !== mounted) return 'no';
  }
  return have === launchFingerprint(template, spec.template, mounted, spec.env) ? 'yes' : 'no';
}
