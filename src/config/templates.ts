/**
 * Task templates: the only things a session may run. The gateway names a template; the
 * controller's configuration says what it means (image, size, network, roles). A gateway
 * therefore never chooses an image or a task definition, so a compromised gateway cannot
 * run arbitrary containers with our IAM role.
 */
import { z } from 'zod';
import { capacityProviderNameProblem } from '../observed/capacity-providers.js';
import { PoolNameSchema, TemplateNameSchema } from '../desired/schema.js';

// Template and pool names follow the same rules as in the gateway's client library (one schema
// each, in src/desired/schema.ts), so a name the client accepts is never refused at start-up.

export const templateSchema = z.strictObject({
  /** Container image (registry/repo:tag or @digest). */
  image: z.string().min(1).max(512),
  /** Container name inside the task definition. */
  containerName: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/).default('session'),
  /** Port the session listens on; with the task's private IP it forms the endpoint. */
  port: z.number().int().min(1).max(65535),
  /** Fargate task size: CPU units (256 = 0.25 vCPU) and memory in MiB. */
  cpu: z.string().regex(/^\d+$/).default('256'),
  memory: z.string().regex(/^\d+$/).default('512'),
  executionRoleArn: z.string().startsWith('arn:').optional(),
  taskRoleArn: z.string().startsWith('arn:').optional(),
  subnets: z.array(z.string().min(1)).min(1),
  securityGroups: z.array(z.string().min(1)).default([]),
  assignPublicIp: z.enum(['ENABLED', 'DISABLED']).default('DISABLED'),
  /**
   * FARGATE, FARGATE_SPOT, or the name of an Auto Scaling group (EC2) capacity provider of the
   * cluster; names that no capacity provider can have are refused (observed/capacity-providers.ts).
   */
  capacityProvider: z
    .string()
    .min(1)
    .default('FARGATE')
    .superRefine((name, ctx) => {
      const problem = capacityProviderNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  /**
   * Fixed environment for every task of this template; sessions may add variables, never
   * replace these (compared case-insensitively). `ESR_*` names are the controller's own.
   */
  environment: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((env, ctx) => {
      for (const n of Object.keys(env)) {
        if (n.toUpperCase().startsWith('ESR_')) ctx.addIssue({ code: 'custom', path: [n], message: `environment ${n}: ESR_* names are set by the controller` });
      }
    }),
  /** Where a session's EFS access point is mounted (persistence); omit to disable persistence. */
  efsMountPath: z.string().startsWith('/').optional(),
  /**
   * CloudWatch Logs for the session container (awslogs, non-blocking): the log group and its
   * region; streams are prefixed with the template name. Omit to send session output nowhere.
   */
  logs: z.strictObject({ group: z.string().min(1).max(512), region: z.string().min(1), bufferSize: z.string().regex(/^\d+m$/).default('25m') }).optional(),
});
export type TaskTemplate = z.infer<typeof templateSchema>;

export const templatesSchema = z
  .record(TemplateNameSchema, templateSchema)
  .refine((t) => Object.keys(t).length > 0, 'at least one template is required');
export type TaskTemplates = z.infer<typeof templatesSchema>;

export const poolSchema = z.strictObject({
  template: TemplateNameSchema,
  /** Hard upper bound on the pool's target, whatever the gateway asks for. */
  maxSize: z.number().int().min(0).max(1000).default(100),
});
export type PoolConfig = z.infer<typeof poolSchema>;
export const poolsSchema = z.record(PoolNameSchema, poolSchema).default({});
