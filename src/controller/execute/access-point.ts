/**
 * Ensure a user's EFS access point. CreateAccessPoint carries a deterministic ClientToken
 * (file system + user), so a repeat returns the same access point; AccessPointAlreadyExists
 * yields the existing id. The root directory is created on first mount, owned by the session user.
 */
import { createHash } from 'node:crypto';
import { accessPointToken } from '../../observed/idempotency.js';
import { TAG } from '../../observed/model.js';
import type { EnsureAccessPointAction } from '../plan/actions.js';
import type { ExecutorDeps } from './context.js';
import { singleFlight } from './single-flight.js';

/** POSIX identity of the session user inside the task (uid/gid 1000 by convention of our images). */
export const SESSION_POSIX_USER = { uid: 1000, gid: 1000 } as const;

/** `/esr/users/<safe-user>`: readable when the id is path-safe, else suffixed with a short hash to stay unique. */
export function userRootPath(userId: string): string {
  const safe = userId.replace(/[^A-Za-z0-9._-]/g, '_');
  if (safe === userId) return `/esr/users/${safe}`;
  return `/esr/users/${safe}-${createHash('sha256').update(userId).digest('hex').slice(0, 8)}`;
}

export function executeEnsureAccessPoint(deps: ExecutorDeps, action: EnsureAccessPointAction): Promise<void> {
  return singleFlight(deps.cache.inflightEnsures, `ap:${action.userId}`, () => ensureAccessPoint(deps, action));
}

async function ensureAccessPoint(deps: ExecutorDeps, action: EnsureAccessPointAction): Promise<void> {
  const fileSystemId = deps.config.efsFileSystemId;
  if (!fileSystemId) throw new Error(`ensureAccessPoint for ${action.userId}: no EFS file system configured`);
  const out = await deps.call({ service: 'efs', operation: 'CreateAccessPoint', key: action.key }, (signal) =>
    deps.aws.efs.createAccessPoint(
      {
        clientToken: accessPointToken(fileSystemId, action.userId),
        fileSystemId,
        posixUser: SESSION_POSIX_USER,
        rootDirectory: { path: userRootPath(action.userId), creationInfo: { ownerUid: SESSION_POSIX_USER.uid, ownerGid: SESSION_POSIX_USER.gid, permissions: '0700' } },
        tags: { [TAG.owner]: deps.config.ownerId, [TAG.user]: action.userId },
      },
      { signal },
    ),
  );
  deps.cache.upsertAccessPoint(
    out.accessPoint ?? { id: out.id, arn: undefined, fileSystemId, lifeCycleState: undefined, tags: { [TAG.owner]: deps.config.ownerId, [TAG.user]: action.userId } },
  );
}
