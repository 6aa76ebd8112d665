/**
 * What a session task is made of. The task definition holds only what a template and an
 * access point determine (image, size, roles, EFS volume), so one registered revision serves
 * every launch with the same content: the family name carries the content hash
 * (`esr-<template>-<hash>`), which makes "find the existing revision" one DescribeTaskDefinition.
 * Per-session environment travels as RunTask container overrides.
 */
import type { TaskTemplate } from '../../config/templates.js';
import type { SessionSpec } from '../../desired/schema.js';
import { TAG } from '../../observed/model.js';
import { contentHash } from '../../observed/idempotency.js';
import { launchTags } from '../../observed/task-tags.js';
import type { LaunchSpec } from './actions.js';

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

export function familyFor(templateName: string, hash: string): string {
  return `esr-${templateName}-${hash}`;
}

/** Hash of everything a launch is made of (task definition content and session env): the `esr:spec-hash` tag. */
export function launchHash(taskDefinitionHash: string, env: Record<string, string>): string {
  return contentHash({ td: taskDefinitionHash, env });
}

export function sessionLaunchSpec(args: {
  spec: SessionSpec;
  template: TaskTemplate;
  accessPointId: string | undefined;
  incarnation: number;
  ownerId: string;
}): LaunchSpec {
  const { spec, template, accessPointId, incarnation, ownerId } = args;
  const hash = contentHash(taskDefinitionContent(template, spec.template, accessPointId));
  const tags = launchTags(
    { owner: ownerId, role: 'session', sessionId: spec.id, incarnation, specHash: launchHash(hash, spec.env) },
    { [TAG.user]: spec.userId },
  );
  return {
    template: spec.template,
    userId: spec.userId,
    family: familyFor(spec.template, hash),
    contentHash: hash,
    accessPointId,
    env: { ...spec.env, ESR_SESSION_ID: spec.id, ESR_USER_ID: spec.userId },
    tags,
  };
}
