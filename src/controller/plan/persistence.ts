/**
 * How a session's `persistence` mode combines with what EFS offers right now. The status
 * always says the truth through the `Persistence` condition.
 *
 * | persistence | EFS configured for template | access point | result                         |
 * | none        | -                           | -            | launch without (NotRequested)  |
 * | preferred   | no                          | -            | launch without (NotConfigured) |
 * | preferred   | yes, EFS unreadable         | unknown      | launch without (EfsUnavailable)|
 * | required    | no                          | -            | fail (NotConfigured)           |
 * | required    | yes, EFS unreadable         | unknown      | wait (EfsUnavailable)          |
 * | preferred   | yes, EFS refused the create | missing      | launch without (e.g. AccessPointLimitExceeded) |
 * | required    | yes, EFS refused the create | missing      | wait, Pending (same reason)    |
 * | either      | yes                         | missing      | create it first                |
 * | either      | yes                         | present      | mount it (Mounted)             |
 */
import type { TaskTemplate } from '../../config/templates.js';
import type { SessionSpec } from '../../desired/schema.js';
import type { ObservedAccessPoint } from '../../observed/model.js';
import { accessPointServes } from '../../observed/user-root.js';
import type { ConditionInput } from './status.js';

/**
 * EFS refused CreateAccessPoint on the file system with an error that retrying cannot change
 * soon (quota such as AccessPointLimitExceeded, access denied): recorded by the executor, read
 * by the plan until `until` (epoch ms), when one new attempt is made.
 */
export interface AccessPointRefusal {
  /** Status reason: the AWS code for quotas (AccessPointLimitExceeded), else the kind's reason. */
  reason: string;
  /** What EFS said, for the condition message. */
  message: string;
  /** Epoch ms after which a new CreateAccessPoint may be tried. */
  until: number;
}

export type PersistenceDecision =
  | { kind: 'mount'; accessPointId: string; condition: ConditionInput }
  | { kind: 'without'; condition: ConditionInput }
  | { kind: 'createAccessPoint' }
  | { kind: 'wait'; condition: ConditionInput }
  | { kind: 'fail'; condition: ConditionInput };

function cond(status: 'True' | 'False', reason: string, message: string): ConditionInput {
  return { type: 'Persistence', status, reason, message };
}

/** The user's usable access point among the observed ones (see accessPointServes: ours, this user's, at the user's root). */
export function accessPointFor(userId: string, accessPoints: Iterable<ObservedAccessPoint>, ownerId: string): ObservedAccessPoint | undefined {
  for (const ap of accessPoints) if (accessPointServes(ap, userId, ownerId)) return ap;
  return undefined;
}

export function decidePersistence(args: {
  spec: SessionSpec;
  template: TaskTemplate;
  efsFileSystemId: string | undefined;
  accessPoint: ObservedAccessPoint | undefined;
  accessPointsKnown: boolean;
  /** A standing refusal of CreateAccessPoint (see AccessPointRefusal); absent or expired: none. */
  refusal?: AccessPointRefusal | undefined;
}): PersistenceDecision {
  const { spec, template, efsFileSystemId, accessPoint, accessPointsKnown, refusal } = args;
  if (spec.persistence === 'none') return { kind: 'without', condition: cond('False', 'NotRequested', 'persistence: none') };
  const configured = efsFileSystemId !== undefined && template.efsMountPath !== undefined;
  if (!configured) {
    const message = `template ${spec.template} has no EFS mount or no file system is configured`;
    return spec.persistence === 'required'
      ? { kind: 'fail', condition: cond('False', 'NotConfigured', message) }
      : { kind: 'without', condition: cond('False', 'NotConfigured', message) };
  }
  if (!accessPointsKnown) {
    const message = 'EFS is unavailable: access points cannot be read';
    return spec.persistence === 'required'
      ? { kind: 'wait', condition: cond('False', 'EfsUnavailable', `${message}; waiting (persistence: required)`) }
      : { kind: 'without', condition: cond('False', 'EfsUnavailable', `${message}; running without persistence (persistence: preferred)`) };
  }
  if (!accessPoint && refusal) {
    const message = `EFS refused CreateAccessPoint (${refusal.reason}: ${refusal.message}); next attempt after ${new Date(refusal.until).toISOString()}`;
    return spec.persistence === 'required'
      ? { kind: 'wait', condition: cond('False', refusal.reason, `${message}; waiting (persistence: required)`) }
      : { kind: 'without', condition: cond('False', refusal.reason, `${message}; running without persistence (persistence: preferred)`) };
  }
  if (!accessPoint) return { kind: 'createAccessPoint' };
  return { kind: 'mount', accessPointId: accessPoint.id, condition: cond('True', 'Mounted', `access point ${accessPoint.id} at ${template.efsMountPath}`) };
}
