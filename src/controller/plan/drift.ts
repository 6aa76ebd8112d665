/**
 * Drift kinds: the named differences between desired and observed state. Every planned
 * action carries one as its reason (logs, events, the `esr_drift_detected_total{kind}` metric).
 */
export const DRIFT_KINDS = {
  MissingTask: 'desired running, no live task: launch',
  TaskStopped: 'status said Running/Starting but ECS says the task STOPPED: launch a new incarnation',
  DuplicateTasks: 'more than one live task for the session: keep one, stop the rest',
  OutdatedIncarnation: 'a live task of an older incarnation: stop it (the new one does not wait on it)',
  SpecChanged: 'the task runs other content than the spec asks for (launch fingerprint): replace it, the old one serving until the new one runs',
  IdentityChanged: "the task carries another user's identity than the spec: stop it before its replacement starts",
  OrphanTask: 'a task of ours with no desired session, older than the grace period: stop',
  Undesired: 'session deleted: stop its task, then finish the tombstone',
  StuckStarting: 'task not RUNNING by the start deadline: stop it and retry with backoff',
  StartFailed: 'start attempts exhausted for this generation: Failed until the spec changes',
  AccessPointMissing: "the user's EFS access point is missing: create it before launch",
  TaskDefinitionMissing: 'the task definition for this content hash is not known: ensure it before launch',
  PersistenceUnavailable: 'persistence required but EFS is unavailable or not configured',
  LifetimeExpired: 'a lifetime bound passed (idle timeout or maximum lifetime): write Expired, then stop its task',
  StatusStale: 'observed facts differ from the written status: write it',
  InvalidSpec: 'the stored desired record is invalid: report it, act on nothing else',
  WarmClaim: 'a new session takes a RUNNING warm task from its template\'s pool (the fast path)',
  ClaimIncomplete: 'a warm task was claimed in Redis but not yet tagged for its session in ECS: tag it',
  AdoptTask: 'a fresh life of a session id (its record was lost and written again) finds a live task of the same user and content: tag it with the new uid instead of starting another',
  ClaimStale: 'a claim whose warm task is gone: release it',
  PoolBelowTarget: 'fewer idle warm tasks than the target: launch a batch (RunTask count <= 10)',
  PoolAboveTarget: 'more idle warm tasks than the target: stop the oldest',
  WarmTaskStopped: 'a warm task stopped: replace it',
  WarmTaskStuck: 'a warm task not RUNNING by the start deadline: stop it',
  WarmTaskOutdated: "a warm task runs an older task definition than its template's: replace it",
} as const;

export type DriftKind = keyof typeof DRIFT_KINDS;
export const DRIFT_KIND_NAMES = Object.keys(DRIFT_KINDS) as DriftKind[];
