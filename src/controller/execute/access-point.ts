/**
 * Ensure a user's EFS access point. CreateAccessPoint carries a deterministic ClientToken
 * (file system + user + root path), so a repeat returns the same access point; AccessPointAlreadyExists
 * yields the existing id. The root directory (user-root.ts: one per user, never shared) is created on
 * first mount, owned by the session user, mode 0700.
 */
import { accessPointToken } from '../../observed/idempotency.js';
import { TAG } from '../../observed/model.js';
import { SESSION_POSIX_USER, userRootPath } from '../../observed/user-root.js';
import type { EnsureAccessPointAction } from '../plan/actions.js';
import { classify, KIND_POLICY, statusReasonOf } from '../../observed/aws-errors.js';
import type { ExecutorDeps } from './context.js';
import { AccessPointRefusedError } from './errors.js';
import { singleFlight } from './single-flight.js';

export function executeEnsureAccessPoint(deps: ExecutorDeps, action: EnsureAccessPointAction): Promise<void> {
  return singleFlight(deps.cache.inflightEnsures, `ap:${action.userId}`, () => ensureAccessPoint(deps, action));
}

async function ensureAccessPoint(deps: ExecutorDeps, action: EnsureAccessPointAction): Promise<void> {
  const fileSystemId = deps.config.efsFileSystemId;
  if (!fileSystemId) throw new Error(`ensureAccessPoint for ${action.userId}: no EFS file system configured`);
  const rootPath = userRootPath(action.userId);
  const out = await deps.call({ service: 'efs', operation: 'CreateAccessPoint', key: action.key }, (signal) =>
    deps.aws.efs.createAccessPoint(
      {
        clientToken: accessPointToken(fileSystemId, action.userId, rootPath),
        fileSystemId,
        posixUser: SESSION_POSIX_USER,
        rootDirectory: { path: rootPath, creationInfo: { ownerUid: SESSION_POSIX_USER.uid, ownerGid: SESSION_POSIX_USER.gid, permissions: '0700' } },
        tags: { [TAG.owner]: deps.config.ownerId, [TAG.user]: action.userId },
      },
      { signal },
    ),
  ).catch((err: unknown) => {
    throw refusedOrRethrow(deps, fileSystemId, err);
  });
  deps.cache.accessPointRefusal = undefined;
  // AccessPointAlreadyExists names only the id; the token carries the path, so it is this path's.
  deps.cache.upsertAccessPoint(
    out.accessPoint ?? { id: out.id, arn: undefined, fileSystemId, lifeCycleState: undefined, tags: { [TAG.owner]: deps.config.ownerId, [TAG.user]: action.userId }, rootPath, posixUser: SESSION_POSIX_USER },
  );
}

/**
 * How long a refusal of CreateAccessPoint (quota, access denied) stands before one new attempt,
 * ms, unless RECONCILER_EFS_REFUSAL_RECHECK_MS says otherwise. Access points are freed only when users' sessions end or the quota is raised, so asking
 * more often only repeats the answer.
 */
export const ACCESS_POINT_REFUSAL_RECHECK_MS = 60_000;

/** A no-blind-retry failure becomes a recorded refusal (AccessPointRefusedError); any other failure is returned as is. */
function refusedOrRethrow(deps: ExecutorDeps, fileSystemId: string, err: unknown): unknown {
  if (KIND_POLICY[classify(err)].reaction !== 'noBlindRetry') return err;
  const reason = statusReasonOf(err);
  const cause = (err as { cause?: unknown }).cause;
  const said = cause instanceof Error ? cause.message : err instanceof Error ? err.message : String(err);
  const until = deps.clock.now() + (deps.config.efsRefusalRecheckMs ?? ACCESS_POINT_REFUSAL_RECHECK_MS);
  deps.cache.accessPointRefusal = { reason, message: `file system ${fileSystemId}: ${said}`, until };
  return new AccessPointRefusedError(reason, `EFS refused CreateAccessPoint on ${fileSystemId}: ${reason} (${said}); not retried before ${new Date(until).toISOString()}`, err);
}
