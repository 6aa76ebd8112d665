/**
 * Every environment variable the daemon reads, with its default, unit and meaning.
 * This table is the single source: start-up validation, `reconciler run --help` and the
 * README's configuration reference are all generated from it, so they cannot drift.
 */
import { z } from 'zod';
import { LIFETIME_SECONDS_MAX } from '../desired/schema.js';

export interface EnvVar<T = unknown> {
  name: string;
  /** Parses the raw string (or undefined when unset) into a value; defaults live in the schema. */
  schema: z.ZodType<T>;
  /** Shown in docs; `undefined` means required or no default. */
  default?: string;
  unit?: string;
  doc: string;
}

const int = (min: number, max: number): z.ZodCoercedNumber<unknown> => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number): z.ZodCoercedNumber<unknown> => z.coerce.number().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

function v<T>(name: string, schema: z.ZodType<T>, doc: string, extra: { default?: string; unit?: string } = {}): EnvVar<T> {
  const withDefault = extra.default === undefined ? schema : (z.preprocess((x) => (x === undefined || x === '' ? extra.default : x), schema) as z.ZodType<T>);
  return { name, schema: withDefault, doc, ...extra };
}

export const ENV_VARS = {
  cluster: v('RECONCILER_CLUSTER', z.string().min(1).max(255), 'ECS cluster name or ARN the sessions run in.', { default: 'default' }),
  ownerId: v('RECONCILER_OWNER_ID', z.string().regex(/^[A-Za-z0-9_.:/=+@-]{1,64}$/), 'Value of the owner tag on every task and access point we create. Anything without it is never stopped or deleted.', { default: 'esr' }),
  startedBy: v('RECONCILER_STARTED_BY', z.string().regex(/^[A-Za-z0-9_-]{1,36}$/), 'ECS `startedBy` on every task we start (ListTasks filters on it; max 36 chars).', { default: 'esr-reconciler' }),
  templatesJson: v('RECONCILER_TEMPLATES', z.string().optional(), 'JSON object: template name -> {image, port, cpu, memory, subnets, securityGroups, executionRoleArn, taskRoleArn, capacityProvider, environment, efsMountPath}. Or use RECONCILER_TEMPLATES_FILE.'),
  templatesFile: v('RECONCILER_TEMPLATES_FILE', z.string().optional(), 'Path of a JSON file with the same content as RECONCILER_TEMPLATES.'),
  poolsJson: v('RECONCILER_POOLS', z.string().optional(), 'JSON object: pool name -> {template, maxSize}. Warm-pool targets themselves come from Redis.', { default: '{}' }),
  efsFileSystemId: v('RECONCILER_EFS_FILE_SYSTEM_ID', z.string().regex(/^fs-[0-9a-f]{8,40}$/).optional(), 'EFS file system for per-user access points. Unset: persistence is unavailable (sessions with persistence=required fail, preferred run without).'),
  redisUrl: v('REDIS_URL', z.string().optional(), 'Single Redis (or one endpoint with managed failover): redis://[user:password@]host[:port][/db], rediss:// for TLS. A value without a scheme is refused. Unset: 127.0.0.1:6379. With Sentinel or Cluster only its credentials and scheme are used.'),
  redisSentinels: v('REDIS_SENTINELS', z.string().optional(), 'Comma-separated host:port list of Sentinels; with REDIS_SENTINEL_NAME, used instead of REDIS_URL.'),
  redisSentinelName: v('REDIS_SENTINEL_NAME', z.string().optional(), 'Sentinel master name.'),
  redisSentinelPassword: v('REDIS_SENTINEL_PASSWORD', z.string().optional(), 'Password of the Sentinel processes themselves (not of Redis). Never logged.'),
  redisClusterNodes: v('REDIS_CLUSTER_NODES', z.string().optional(), 'Comma-separated host:port seed list of a Redis Cluster.'),
  redisUsername: v('REDIS_USERNAME', z.string().optional(), 'ACL user name; overrides the one in REDIS_URL (every mode).'),
  redisPassword: v('REDIS_PASSWORD', z.string().optional(), 'Password; overrides the one in REDIS_URL (every mode). Never logged.'),
  redisTls: v('REDIS_TLS', z.string().optional(), '`true` for TLS in every mode (implied by rediss://; `false` with rediss:// is refused, never silently plaintext).'),
  redisWaitReplicas: v('REDIS_WAIT_REPLICAS', z.string().optional(), 'Replicas that must acknowledge a leader term (and a gateway spec write) before it counts (Redis WAIT). Default 1 with Sentinel or Cluster, 0 (off) for a single Redis.'),
  redisWaitTimeoutMs: v('REDIS_WAIT_TIMEOUT_MS', z.string().optional(), 'How long to wait for those acknowledgements; at most half of REDIS_COMMAND_TIMEOUT_MS.', { default: '1000', unit: 'ms' }),
  redisCommandTimeoutMs: v('REDIS_COMMAND_TIMEOUT_MS', int(1, 600_000), 'A Redis command that gets no answer within this fails instead of hanging.', { default: '5000', unit: 'ms' }),
  redisPrefix: v('RECONCILER_REDIS_PREFIX', z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/), 'Key prefix; all keys share the hash tag {PREFIX}.', { default: 'esr' }),
  resyncSeconds: v('RECONCILER_RESYNC_SECONDS', num(1, 3600), 'Full resync period (level-triggered safety net), with 10% jitter.', { default: '30', unit: 's' }),
  inflightRefreshMs: v('RECONCILER_INFLIGHT_REFRESH_MS', int(100, 60_000), 'How often tasks that are starting or stopping are re-described; tasks about to turn RUNNING (ACTIVATING, or older than most starts seen) are re-described 4x as often.', { default: '1000', unit: 'ms' }),
  eventsQueueUrl: v(
    'RECONCILER_EVENTS_QUEUE_URL',
    z.url({ protocol: /^https?$/, error: 'must be an http(s) SQS queue URL, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/esr-task-events' }).optional(),
    'SQS queue an EventBridge rule fills with ECS Task State Change events (deploy/eventbridge/). Set: the controller long-polls it and reacts to a stopped task in seconds; events are hints, the full resync stays the safety net (and may then be longer, e.g. RECONCILER_RESYNC_SECONDS=300). Unset: no events.',
  ),
  eventsWaitSeconds: v('RECONCILER_EVENTS_WAIT_SECONDS', int(1, 20), 'Long-poll wait of each SQS ReceiveMessage (SQS allows at most 20 s).', { default: '20', unit: 's' }),
  eventsVisibilityTimeoutSeconds: v('RECONCILER_EVENTS_VISIBILITY_TIMEOUT_SECONDS', int(1, 43_200), 'How long a received event stays hidden from other receives before SQS delivers it again (it is deleted as soon as it is handled).', { default: '30', unit: 's' }),
  workers: v('RECONCILER_WORKERS', int(1, 256), 'Concurrent reconciles (a key is never processed by two at once).', { default: '16' }),
  orphanGraceSeconds: v('RECONCILER_ORPHAN_GRACE_SECONDS', num(0, 86_400), 'A task of ours with no desired session is stopped only after this age.', { default: '60', unit: 's' }),
  timeoutsJson: v('RECONCILER_TIMEOUTS', z.string().optional(), 'JSON: {steps: {ensureAccessPoint, registerTaskDefinition, runTask, waitForRunning, tagResource} (ms), sessionStartMs, readCallMs, marginFactor}. Start-up refuses sessionStartMs < sum(steps) x marginFactor (1.5). A task not RUNNING within sessionStartMs (default 125000) is stuck.'),
  rateLimitsJson: v('RECONCILER_RATE_LIMITS', z.string().optional(), 'JSON: {buckets: {"ecs:RunTask": {burst, ratePerSec}, "fargate:TaskLaunch": {...}, ...}} merged over the ECS-published defaults (the ecs:RunTask default follows the templates: EC2 figures when every template is on an EC2 capacity provider, else Fargate).'),
  efsRefusalRecheckMs: v('RECONCILER_EFS_REFUSAL_RECHECK_MS', int(1000, 3_600_000), 'After EFS refuses CreateAccessPoint with a quota or access-denied error (e.g. AccessPointLimitExceeded), how long until it is asked again (once, for the whole file system); meanwhile preferred sessions run without persistence and required ones wait Pending.', { default: '60000', unit: 'ms' }),
  breakerThreshold: v('RECONCILER_BREAKER_THRESHOLD', int(1, 1000), 'Consecutive real faults (5xx, timeouts, connection errors) that open a dependency circuit breaker.', { default: '5' }),
  breakerCooldownMs: v('RECONCILER_BREAKER_COOLDOWN_MS', int(100, 600_000), 'How long an open breaker fails fast before a half-open probe.', { default: '10000', unit: 'ms' }),
  maxStartAttempts: v('RECONCILER_MAX_START_ATTEMPTS', int(1, 100), 'Launch attempts per spec generation before the session is Failed. A task that stops before RUNNING counts as a failed attempt; the next waits a full-jitter backoff (2 s doubling to 60 s).', { default: '3' }),
  startHealthySeconds: v('RECONCILER_START_HEALTHY_SECONDS', num(1, 86_400), "A session's failed start attempts are forgotten once its task has run this long (as Kubernetes resets a container's restart back-off after it ran 10 min).", { default: '600', unit: 's' }),
  stopsPerMinute: v('RECONCILER_STOPS_PER_MINUTE', int(1, 100_000), 'Stop budget: at most this many StopTask calls a minute; excess stops wait.', { default: '120', unit: '1/min' }),
  brakeDropFraction: v('RECONCILER_BRAKE_DROP_FRACTION', num(0.01, 1), 'Desired-state brake: stops pause when desired tasks drop by more than this share in one resync while tasks run (also when the store marker vanishes). Release: `reconciler brake release`.', { default: '0.5' }),
  brakeMinDrop: v('RECONCILER_BRAKE_MIN_DROP', int(1, 1_000_000), 'Desired-state brake: a drop of fewer desired tasks than this never engages it.', { default: '10' }),
  brakeExpiryFraction: v('RECONCILER_BRAKE_EXPIRY_FRACTION', num(0.01, 1), 'Mass-expiry brake: expiries (and stops) pause when, within one resync period, at least RECONCILER_BRAKE_MIN_DROP sessions and more than this share of the desired tasks would expire (a gateway that stopped touching them). Release: `reconciler brake release`.', { default: '0.1' }),
  idleTimeoutSeconds: v('RECONCILER_IDLE_TIMEOUT_SECONDS', int(0, LIFETIME_SECONDS_MAX), 'Idle timeout of a session whose spec sets none: it expires this long after its last touch (or its start). 0 = none.', { default: '0', unit: 's' }),
  idleTimeoutMaxSeconds: v('RECONCILER_IDLE_TIMEOUT_MAX_SECONDS', int(0, LIFETIME_SECONDS_MAX), 'Upper bound of a spec\'s idleTimeoutSeconds; larger values, and 0 (none), get this. 0 = no upper bound.', { default: '0', unit: 's' }),
  maxLifetimeSeconds: v('RECONCILER_MAX_LIFETIME_SECONDS', int(0, LIFETIME_SECONDS_MAX), 'Maximum lifetime of a session whose spec sets none, from its start, whatever the touches. 0 = none.', { default: '0', unit: 's' }),
  maxLifetimeMaxSeconds: v('RECONCILER_MAX_LIFETIME_MAX_SECONDS', int(0, LIFETIME_SECONDS_MAX), 'Upper bound of a spec\'s maxLifetimeSeconds; larger values, and 0 (none), get this. 0 = no upper bound.', { default: '0', unit: 's' }),
  leaderElection: v('RECONCILER_LEADER_ELECTION', bool, 'Leader election on a Redis lease; only the leader acts, followers keep their view warm. `false` only for a single replica: it then writes with fencing token 1.', { default: 'true' }),
  leaderLeaseMs: v('RECONCILER_LEADER_LEASE_MS', int(100, 600_000), 'Leader lease duration; a follower takes over within it after the leader dies. Must exceed the renew deadline and the longest mutating call budget.', { default: '15000', unit: 'ms' }),
  leaderRenewDeadlineMs: v('RECONCILER_LEADER_RENEW_DEADLINE_MS', int(50, 600_000), 'A leader that could not renew its lease for this long steps down.', { default: '10000', unit: 'ms' }),
  leaderRetryMs: v('RECONCILER_LEADER_RETRY_MS', int(10, 600_000), 'Pause between lease acquire/renew attempts.', { default: '2000', unit: 'ms' }),
  shutdownGraceMs: v('RECONCILER_SHUTDOWN_GRACE_MS', int(0, 25_000), 'On SIGTERM/SIGINT, in-flight work gets this long to finish before it is aborted; well under ECS stopTimeout (30 s).', { default: '10000', unit: 'ms' }),
  httpHost: v('RECONCILER_HTTP_HOST', z.string().min(1), 'Bind address of the metrics/health HTTP server.', { default: '0.0.0.0' }),
  httpPort: v('RECONCILER_HTTP_PORT', int(0, 65535), 'Port of /metrics, /healthz, /readyz.', { default: '9464' }),
  logLevel: v('RECONCILER_LOG_LEVEL', z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'pino log level.', { default: 'info' }),
  logPretty: v('RECONCILER_LOG_PRETTY', bool, 'Human-readable logs instead of JSON, through pino-pretty (a development dependency; without it logs stay JSON and say so). Colour only on a terminal (and NO_COLOR unset).', { default: 'false' }),
  awsMaxAttempts: v('RECONCILER_AWS_MAX_ATTEMPTS', int(1, 10), 'AWS SDK attempts per call. 1 = no SDK retries: the work queue backoff is the one retry layer.', { default: '1' }),
} as const;

export type EnvVarKey = keyof typeof ENV_VARS;
export type EnvValues = { [K in EnvVarKey]: z.output<(typeof ENV_VARS)[K]['schema']> };

/** Renders the variables as a Markdown table (README configuration reference, `run --help`). */
export function envVarsMarkdown(): string {
  const rows = Object.values(ENV_VARS).map((e: EnvVar) => `| \`${e.name}\` | ${e.default === undefined ? '' : `\`${e.default}\``} | ${e.unit ?? ''} | ${e.doc} |`);
  return ['| Variable | Default | Unit | Meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
