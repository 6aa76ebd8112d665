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
 * | either      | yes                         | missing      | create it first                |
 * | either      | yes                         | present      | mount it (Mounted)             |
 */
import type { TaskTemplate } from '../../config/templates.js';
import type { SessionSpec } from '../../desired/schema.js';
import type { ObservedAccessPoint } from '../../observed/model.js';
import { accessPointServes } from '../../observed/user-root.js';
import type { ConditionInput } from './status.js';

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
}): PersistenceDecision {
  const { spec, template, efsFileSystemId, accessPoint, accessPointsKnown } = args;
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
  if (!accessPoint) return { kind: 'createAccessPoint' };
  return { kind: 'mount', accessPointId: accessPoint.id, condition: cond('True', 'Mounted', `access point ${accessPoint.id} at ${template.efsMountPath}`) };
}
