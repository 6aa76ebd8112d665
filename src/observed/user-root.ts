/**
 * Where a user's files live on the session file system, and as whom they are written: the
 * userId -> EFS access point root directory mapping. One-to-one by construction:
 *
 * - **verbatim** `/esr/users/<userId>` when the id only has `[A-Za-z0-9._-]` and fits. These
 *   paths are the ones earlier versions used for such ids, so those users keep their directory.
 * - **percent-escaped** `/esr/users/<id with every other character as %XX>` (`alice@example.com`
 *   -> `alice%40example.com`, `/` -> `%2F`). Decoding is unique, and the result always contains
 *   `%`, which no verbatim path does, so it never equals another user's verbatim path.
 * - **hashed** `/esr/users/~<sha256 hex of the id>` when the first two forms are longer than EFS
 *   allows (a RootDirectory path is at most 100 characters). It starts with `~`, which neither
 *   other form contains; two ids share it only on a SHA-256 collision.
 *
 * User ids (schema.ts) are ASCII letters, digits and `_.:/=+@-` starting with a letter or digit,
 * so a segment is never `.`/`..` and never starts with `.` (the EFS path pattern forbids that).
 * EFS paths are case-sensitive, like user ids.
 *
 * Earlier versions wrote non-verbatim ids as `<id with _ for other chars>-<8 hex of sha256>`,
 * which another user's verbatim id could equal (issue 18). Access points with such a path are no
 * longer used (accessPointServes); the user gets a new one at the path above, and the files at
 * the old path stay until an operator moves them (README, "Migrating user directories").
 *
 * POSIX identity: every access point enforces the same uid/gid (SESSION_POSIX_USER), on purpose.
 * EFS applies an access point's root directory to every NFS operation made through it, so users
 * are kept apart by their root directories (and by IAM, which refuses mounts without an access
 * point), not by uids; the session images run as 1000 and files stay theirs across images.
 * Source: EFS API reference, RootDirectory (path length 1..100, pattern, up to four levels) and
 * "Enforcing a user identity using an access point".
 */
import { createHash } from 'node:crypto';
import { TAG, type ObservedAccessPoint } from './model.js';

/** The parent of every user's root directory. */
export const USER_ROOT_PARENT = '/esr/users';
/** EFS RootDirectory.Path limit, characters. */
export const EFS_ROOT_PATH_MAX = 100;
/** POSIX identity enforced by every user's access point (uid/gid 1000, the session images' user). */
export const SESSION_POSIX_USER = { uid: 1000, gid: 1000 } as const;

const VERBATIM = /^[A-Za-z0-9._-]+$/;
const SEGMENT_MAX = EFS_ROOT_PATH_MAX - USER_ROOT_PARENT.length - 1;

/** Percent-escapes every character outside `[A-Za-z0-9._-]` (user ids are ASCII, one byte each). */
function percentEscape(userId: string): string {
  let out = '';
  for (const ch of userId) {
    out += VERBATIM.test(ch) ? ch : [...Buffer.from(ch, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

/** The root directory of `userId`'s access point (see the module comment for the encoding). */
export function userRootPath(userId: string): string {
  if (userId.length === 0) throw new RangeError('userRootPath: empty user id');
  const segment = VERBATIM.test(userId) ? userId : percentEscape(userId);
  if (segment.length <= SEGMENT_MAX) return `${USER_ROOT_PARENT}/${segment}`;
  return `${USER_ROOT_PARENT}/~${createHash('sha256').update(userId, 'utf8').digest('hex')}`;
}

/**
 * Whether an observed access point is `userId`'s: ours (owner tag), tagged for the user, usable,
 * and rooted at the user's path with the session POSIX user. An access point whose root or uid
 * differs (an older mapping, or one made by hand) never serves the user.
 */
export function accessPointServes(ap: ObservedAccessPoint, userId: string, ownerId: string): boolean {
  if (ap.tags[TAG.owner] !== ownerId || ap.tags[TAG.user] !== userId) return false;
  if (ap.lifeCycleState === 'deleting' || ap.lifeCycleState === 'deleted' || ap.lifeCycleState === 'error') return false;
  if (ap.rootPath !== userRootPath(userId)) return false;
  return ap.posixUser?.uid === SESSION_POSIX_USER.uid && ap.posixUser.gid === SESSION_POSIX_USER.gid;
}
