/**
 * The desired-state schema shared by the gateway (writes specs) and the controller (writes
 * status). Every record stored in Redis is JSON and carries `schemaVersion`; every record read
 * is validated with these schemas, so a malformed record is reported, never trusted.
 *
 * Units: every timestamp is milliseconds since the Unix epoch (an integer).
 * Ownership (as in Kubernetes): the gateway owns `SessionSpec` and `WarmPoolSpec`; the
 * controller owns `SessionStatus`. The store, not the caller, sets `generation`,
 * `createdAt`, `updatedAt`, `deleted` and `deletedAt`.
 */
import { z } from 'zod';

/** The only schema version this code reads and writes. A record with another version is Invalid. */
export const SCHEMA_VERSION = 1 as const;

/**
 * Session ids end up in ECS tags and in RunTask `clientToken`s (<= 64 ASCII chars), together
 * with an incarnation suffix such as `-i12345678`; 48 chars leave room for that.
 * Rule: lowercase letters, digits, `-` and `_`, starting with a letter or digit, 1..48 chars.
 */
export const SESSION_ID_MAX_LENGTH = 48;
export const SESSION_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,47}$/;

/** Pool names follow the session id rule (they end up in tags and tokens too). */
export const POOL_NAME_PATTERN = SESSION_ID_PATTERN;

/** Template names: lowercase letters, digits, `.`, `-`, `_`; 1..63 chars. */
export const TEMPLATE_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * User ids become EFS access point tags; ECS/EFS tag values allow letters, digits and
 * `_ . : / = + - @`. Rule: 1..128 chars of those, starting with a letter or digit.
 */
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:/=+@-]{0,127}$/;

/** Environment variable names: POSIX-ish, 1..128 chars. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/**
 * Names the gateway may not set: they steer the AWS SDK and the ECS agent inside the task
 * (credentials endpoint, region) or are set by the controller itself (`ESR_SESSION_ID`,
 * `ESR_USER_ID`). Compared case-insensitively: `aws_container_credentials_full_uri` is as
 * reserved as its upper-case form (some tools read either spelling).
 */
export const RESERVED_ENV_PREFIXES = ['AWS_', 'ECS_', 'ESR_'] as const;

/** The reserved prefix a variable name falls under (any letter case), or undefined. */
export function reservedEnvPrefix(name: string): string | undefined {
  const upper = name.toUpperCase();
  return RESERVED_ENV_PREFIXES.find((p) => upper.startsWith(p));
}

/**
 * The gateway's env overrides that would replace a variable the template fixes: the template's
 * environment is part of what the operator configured, so a session may add variables, never
 * replace one (`SESSION_EGRESS=allow` over the template's `deny`). Names compare
 * case-insensitively, like the reserved prefixes. Returns `override -> fixed name` pairs, sorted.
 */
export function envOverrideConflicts(overrides: Readonly<Record<string, string>>, fixed: Readonly<Record<string, string>>): Array<{ name: string; fixed: string }> {
  const fixedByUpper = new Map(Object.keys(fixed).map((n) => [n.toUpperCase(), n]));
  const out: Array<{ name: string; fixed: string }> = [];
  for (const name of Object.keys(overrides).sort()) {
    const hit = fixedByUpper.get(name.toUpperCase());
    if (hit !== undefined) out.push({ name, fixed: hit });
  }
  return out;
}

/**
 * One message naming every conflicting variable, or undefined when the overrides only add.
 * `owner` names who fixed the variables, e.g. `template "shell"`.
 */
export function describeEnvOverrideConflicts(overrides: Readonly<Record<string, string>>, fixed: Readonly<Record<string, string>>, owner: string): string | undefined {
  const conflicts = envOverrideConflicts(overrides, fixed);
  if (conflicts.length === 0) return undefined;
  const names = conflicts.map((c) => (c.name === c.fixed ? c.name : `${c.name} (fixed as ${c.fixed})`)).join(', ');
  return `env ${names} would replace ${conflicts.length === 1 ? 'a variable' : 'variables'} fixed by ${owner}; sessions may add variables, never replace fixed ones`;
}
export const ENV_MAX_ENTRIES = 64;
/** Max length of one env value, in UTF-16 code units (ECS limits the whole override to 8 KiB). */
export const ENV_VALUE_MAX_LENGTH = 4096;
/** Max sum of name + value lengths over all env overrides. */
export const ENV_TOTAL_MAX_LENGTH = 8192;

/** Label keys: lowercase, may contain `.`, `/`, `-`, `_`; 1..63 chars. Values: <= 256 chars. */
export const LABEL_KEY_PATTERN = /^[a-z0-9][a-z0-9._/-]{0,62}$/;
export const LABEL_VALUE_MAX_LENGTH = 256;
export const LABELS_MAX_ENTRIES = 32;

/** Max size of one stored record (spec or status), in bytes of its JSON. Larger is `oversize`. */
export const RECORD_MAX_BYTES = 64 * 1024;

/** Default upper bound for a warm-pool target; the controller's config may lower it. */
export const WARM_POOL_TARGET_MAX = 1000;

const epochMs = z.number().int().nonnegative();

export const SessionIdSchema = z
  .string()
  .regex(SESSION_ID_PATTERN, 'must be 1-48 chars of [a-z0-9_-], starting with a letter or digit');
export const PoolNameSchema = z
  .string()
  .regex(POOL_NAME_PATTERN, 'must be 1-48 chars of [a-z0-9_-], starting with a letter or digit');
export const TemplateNameSchema = z
  .string()
  .regex(TEMPLATE_NAME_PATTERN, 'must be 1-63 chars of [a-z0-9._-], starting with a letter or digit');
export const UserIdSchema = z
  .string()
  .regex(USER_ID_PATTERN, 'must be 1-128 chars of letters, digits and _.:/=+@-, starting with a letter or digit');

export const PersistenceSchema = z.enum(['required', 'preferred', 'none']);
/** `required`: no EFS, no session; `preferred`: degrade to no persistence; `none`: never mount. */
export type Persistence = z.infer<typeof PersistenceSchema>;

export const EnvOverridesSchema = z
  .record(
    z.string().regex(ENV_NAME_PATTERN, 'env names must match [A-Za-z_][A-Za-z0-9_]{0,127}'),
    z.string().max(ENV_VALUE_MAX_LENGTH, `env values must be at most ${ENV_VALUE_MAX_LENGTH} chars`),
  )
  .superRefine((env, ctx) => {
    const names = Object.keys(env);
    if (names.length > ENV_MAX_ENTRIES) {
      ctx.addIssue({ code: 'custom', message: `at most ${ENV_MAX_ENTRIES} env overrides, got ${names.length}`, params: { oversize: { size: names.length, limit: ENV_MAX_ENTRIES, unit: 'entries' } } });
    }
    let total = 0;
    for (const name of names) {
      total += name.length + (env[name]?.length ?? 0);
      const reserved = reservedEnvPrefix(name);
      if (reserved) ctx.addIssue({ code: 'custom', path: [name], message: `env ${name}: names starting with ${reserved} (any letter case) are reserved` });
    }
    if (total > ENV_TOTAL_MAX_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `env overrides total ${total} chars, limit ${ENV_TOTAL_MAX_LENGTH}`, params: { oversize: { size: total, limit: ENV_TOTAL_MAX_LENGTH, unit: 'chars' } } });
    }
  });

export const LabelsSchema = z
  .record(
    z.string().regex(LABEL_KEY_PATTERN, 'label keys must match [a-z0-9][a-z0-9._/-]{0,62}'),
    z.string().max(LABEL_VALUE_MAX_LENGTH, `label values must be at most ${LABEL_VALUE_MAX_LENGTH} chars`),
  )
  .refine((l) => Object.keys(l).length <= LABELS_MAX_ENTRIES, `at most ${LABELS_MAX_ENTRIES} labels`);

/** Longest lifetime bound a spec may name, seconds (365 days; the controller's configuration may cap it lower). */
export const LIFETIME_SECONDS_MAX = 365 * 24 * 3600;

const lifetimeSeconds = z.number().int('must be a whole number of seconds').nonnegative().max(LIFETIME_SECONDS_MAX, `must be at most ${LIFETIME_SECONDS_MAX} s (365 days)`);

/**
 * How long a session may live (README "Session lifetimes"), seconds. `idleTimeoutSeconds`: the
 * session expires this long after its last activity (`touchSession`, or the start of its life);
 * `maxLifetimeSeconds`: it expires this long after its life began (`createdAt`), whatever the
 * touches. `0` asks for no bound (granted only when the controller's configuration has no upper
 * bound for it); an absent field takes the controller's default. The controller caps both at its
 * configured upper bounds.
 */
export const LifetimeSchema = z.strictObject({
  idleTimeoutSeconds: lifetimeSeconds.optional(),
  maxLifetimeSeconds: lifetimeSeconds.optional(),
});
export type Lifetime = z.infer<typeof LifetimeSchema>;

/**
 * What the gateway asks for (`ensureSession` input). The store adds generation and times.
 * `env`, `labels` default to empty; `persistence` defaults to `preferred`.
 */
export const SessionSpecInputSchema = z.strictObject({
  id: SessionIdSchema,
  userId: UserIdSchema,
  template: TemplateNameSchema,
  env: EnvOverridesSchema.default({}),
  persistence: PersistenceSchema.default('preferred'),
  labels: LabelsSchema.default({}),
  lifetime: LifetimeSchema.optional(),
});
/** Input as the gateway writes it (optional fields may be omitted). */
export type SessionSpecInput = z.input<typeof SessionSpecInputSchema>;
/** Input after defaults are applied. */
export type SessionSpecContent = z.output<typeof SessionSpecInputSchema>;

/**
 * A stored session spec. `generation` starts at 1 and is bumped by the store on every real
 * change (an identical write does not bump it); deleting sets `deleted` (a tombstone) and
 * bumps it too. The controller acts on the tombstone, then purges the record.
 */
export const SessionSpecSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  id: SessionIdSchema,
  userId: UserIdSchema,
  template: TemplateNameSchema,
  env: EnvOverridesSchema,
  persistence: PersistenceSchema,
  labels: LabelsSchema,
  /** Lifetime bounds asked for (absent: the controller's defaults). Not part of what a task runs. */
  lifetime: LifetimeSchema.optional(),
  generation: z.number().int().positive(),
  /**
   * Identity of this life of the session id (like Kubernetes' `metadata.uid`): set by the store
   * when the record is created or a tombstone is written again, kept across spec changes.
   * Idempotency tokens and the `esr:uid` task tag carry it, so a session id reused after a
   * delete never replays or adopts its previous life's launches by accident. Absent on records
   * written before it existed (then tasks without the tag belong to the record).
   */
  uid: z.string().regex(/^[0-9a-f]{8,64}$/).optional(),
  /** Tombstone: the gateway deleted the session; the controller stops it, then purges. */
  deleted: z.boolean(),
  /** When the tombstone was written; present iff `deleted`. */
  deletedAt: epochMs.optional(),
  createdAt: epochMs,
  updatedAt: epochMs,
});
export type SessionSpec = z.infer<typeof SessionSpecSchema>;

/** Target size of a named warm pool; a pool is tied to one template. */
export const WarmPoolSpecSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name: PoolNameSchema,
  template: TemplateNameSchema,
  /** Number of idle pre-started tasks wanted; 0..WARM_POOL_TARGET_MAX (config may lower it). */
  target: z.number().int().nonnegative().max(WARM_POOL_TARGET_MAX),
  generation: z.number().int().positive(),
  updatedAt: epochMs,
});
export type WarmPoolSpec = z.infer<typeof WarmPoolSpecSchema>;

export const SessionPhaseSchema = z.enum(['Pending', 'Starting', 'Running', 'Stopping', 'Stopped', 'Failed', 'Expired']);
/**
 * Pending: accepted, not launched yet (maybe queued). Starting: RunTask issued / task
 * provisioning. Running: task RUNNING (see the `Ready` condition for "usable").
 * Stopping/Stopped: being stopped / gone. Failed: gave up (see `lastError`, conditions).
 * Expired: a lifetime bound passed (`Ready=False`, reason `IdleTimeout` or
 * `MaxLifetimeExceeded`); its task is stopped; `ensureSession` starts a new life.
 */
export type SessionPhase = z.infer<typeof SessionPhaseSchema>;

/** Condition types the controller uses; other PascalCase names are allowed for extension. */
export const KNOWN_CONDITION_TYPES = ['Ready', 'Persistence', 'Degraded', 'Invalid', 'Queued'] as const;
export type KnownConditionType = (typeof KNOWN_CONDITION_TYPES)[number];

export const ConditionSchema = z.strictObject({
  type: z.string().regex(/^[A-Z][A-Za-z0-9]{0,63}$/, 'condition types are PascalCase, <= 64 chars'),
  status: z.enum(['True', 'False', 'Unknown']),
  /** Machine-readable PascalCase reason, e.g. `TaskRunning`, `SpecInvalid`, `EfsUnavailable`. */
  reason: z.string().max(128),
  /** Human-readable detail. */
  message: z.string().max(4096),
  /** When `status` last changed (not when the condition was last written). */
  lastTransitionTime: epochMs,
});
export type Condition = z.infer<typeof ConditionSchema>;
export type ConditionStatus = Condition['status'];

export const EndpointSchema = z.strictObject({
  /** Private IPv4/IPv6 address of the task's ENI. */
  ip: z.string().min(1).max(64),
  port: z.number().int().min(1).max(65535),
});
export type Endpoint = z.infer<typeof EndpointSchema>;

/**
 * Recorded before RunTask ("intent before action"): a restarted controller re-issues the
 * same `clientToken`, so ECS returns the same task instead of starting a second one.
 */
export const LaunchIntentSchema = z.strictObject({
  /** <= 64 ASCII chars (the ECS limit). */
  clientToken: z.string().min(1).max(64),
  incarnation: z.number().int().nonnegative(),
  requestedAt: epochMs,
});
export type LaunchIntent = z.infer<typeof LaunchIntentSchema>;

export const LastErrorSchema = z.strictObject({
  /** PascalCase classification, e.g. `Throttled`, `CapacityUnavailable`, `TaskStopped`. */
  reason: z.string().max(128),
  message: z.string().max(4096),
  at: epochMs,
});
export type LastError = z.infer<typeof LastErrorSchema>;

/** A session's status, owned and written only by the controller (fenced, see StatusWriter). */
export const SessionStatusSchema = z.strictObject({
  schemaVersion: z.literal(SCHEMA_VERSION),
  phase: SessionPhaseSchema,
  /**
   * The spec generation this status reflects; 0 = none observed yet. A proof: while the status
   * is Ready, the task it names runs this generation's content (launch fingerprint); otherwise
   * it is the generation the phase (Starting, Pending, Failed) was decided for.
   */
  observedGeneration: z.number().int().nonnegative(),
  /**
   * The generation the controller is bringing up, while a replacement starts beside the task
   * that still serves an older one (make before break; condition `Updating`). Start attempts
   * count for this generation. Absent: the same as `observedGeneration`.
   */
  targetGeneration: z.number().int().positive().optional(),
  taskArn: z.string().max(2048).optional(),
  endpoint: EndpointSchema.optional(),
  /** Counts launches of this session (0 = never launched); part of task tags and client tokens. */
  incarnation: z.number().int().nonnegative(),
  launchIntent: LaunchIntentSchema.optional(),
  conditions: z.array(ConditionSchema).max(32),
  /** 1-based position while queued for capacity. */
  queuePosition: z.number().int().positive().optional(),
  /** When the gateway may retry (the "unavailable, retry after" degradation), epoch ms. */
  retryAfter: epochMs.optional(),
  /** When the current task reached RUNNING. */
  startedAt: epochMs.optional(),
  /**
   * When the session ends unless touched again (the earlier of its idle and maximum-lifetime
   * bounds), as of the controller's last look; absent when it has no bound. Touches move the real
   * end later, never earlier; the status catches up within one resync. In phase Expired: when
   * the bound that ended it passed.
   */
  expiresAt: epochMs.optional(),
  /** True when the current task came from the warm pool. */
  warm: z.boolean(),
  lastError: LastErrorSchema.optional(),
  /** Start attempts for the current generation (reset when observedGeneration changes). */
  attempts: z.number().int().nonnegative(),
  /** When the controller last wrote this record. */
  updatedAt: epochMs,
});
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/** Finds a condition by type. */
export function findCondition(status: SessionStatus | undefined, type: string): Condition | undefined {
  return status?.conditions.find((c) => c.type === type);
}

/** Ready = phase Running, condition `Ready` True, and an endpoint to connect to. */
export function isReady(status: SessionStatus | undefined): boolean {
  return (
    status !== undefined &&
    status.phase === 'Running' &&
    status.endpoint !== undefined &&
    findCondition(status, 'Ready')?.status === 'True'
  );
}
