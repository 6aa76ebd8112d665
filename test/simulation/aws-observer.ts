/**
 * The world side of every controller's AWS calls (after its process gate): counts what reaches
 * AWS, reports every StopTask with the task's true tags as the simulator holds them (invariant
 * 2), logs mutating calls, and injects lost answers: the call is served, then the answer is
 * replaced by a network error, as when a connection drops after the request got through.
 */
import type { Rng } from '../../src/common/rng.js';
import type { AwsApi, RunTaskInput, StopTaskInput } from '../../src/observed/aws-api.js';
import type { SimCore } from '../../src/sim/core.js';
import { parseTaskRef } from '../../src/sim/arns.js';
import { stateAt } from '../../src/sim/task-lifecycle.js';
import { wrapAwsApi } from './aws-wrap.js';
import type { EventLog } from './event-log.js';

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['runTask', 'stopTask', 'tagResource', 'registerTaskDefinition', 'createAccessPoint', 'deleteAccessPoint']);

export interface StopObservation {
  by: string;
  taskArn: string;
  /** The task's tags in the simulator when the StopTask arrived; undefined when unknown there. */
  tags: Record<string, string> | undefined;
  /** Whether the task was RUNNING (and meant to keep running) when the StopTask arrived. */
  running: boolean;
}

export class AwsObserver {
  /** Mutating calls that reached AWS, by method. */
  readonly mutating = new Map<string, number>();
  lostResponseRate = 0;
  private mutatingTotal = 0;

  constructor(
    private readonly core: SimCore,
    private readonly base: AwsApi,
    private readonly rng: Rng,
    private readonly log: EventLog,
    private readonly onStop: (o: StopObservation) => void,
  ) {}

  totalMutating(): number {
    return this.mutatingTotal;
  }

  /** Whether the simulator shows the task RUNNING with desired status RUNNING now. */
  isRunning(taskArn: string): boolean {
    const t = this.core.ecs.tasks.get(parseTaskRef(taskArn).id);
    if (!t) return false;
    const st = stateAt(t, this.core.clock.now());
    return st.lastStatus === 'RUNNING' && st.desiredStatus === 'RUNNING';
  }

  /** The true tags of a task, straight from the simulator's records. */
  simTags(taskArn: string): Record<string, string> | undefined {
    const t = this.core.ecs.tasks.get(parseTaskRef(taskArn).id);
    return t ? Object.fromEntries(t.tags.map((x) => [x.key ?? '', x.value ?? ''])) : undefined;
  }

  /** The API as controller `by` reaches it. */
  apiFor(by: string): AwsApi {
    return wrapAwsApi(this.base, async (c, invoke) => {
      const mutating = MUTATING_METHODS.has(c.method);
      if (mutating) {
        this.mutatingTotal++;
        this.mutating.set(c.method, (this.mutating.get(c.method) ?? 0) + 1);
      }
      if (c.method === 'stopTask') {
        const arn = (c.input as StopTaskInput).task;
        const tags = this.simTags(arn);
        this.onStop({ by, taskArn: arn, tags, running: this.isRunning(arn) });
        this.log.add('aws', `${by} StopTask ${short(arn)} ${tags ? `${tags['esr:session'] ?? '-'}/${tags['esr:incarnation'] ?? '-'} owner=${tags['esr:owner'] ?? 'NONE'}` : '(unknown task)'}`);
      } else if (c.method === 'runTask') {
        const i = c.input as RunTaskInput;
        this.log.add('aws', `${by} RunTask ${i.tags?.['esr:session'] ?? '?'}/${i.tags?.['esr:incarnation'] ?? '?'} token=${i.clientToken ?? 'NONE'}`);
      } else if (mutating) {
        this.log.add('aws', `${by} ${c.method}`);
      }
      const out = await invoke();
      if (mutating && this.lostResponseRate > 0 && this.rng.next() < this.lostResponseRate) {
        this.log.add('aws', `${by} ${c.method}: answer lost (served, then the connection dropped)`);
        throw Object.assign(new Error('socket hang up (simulated: the answer was lost after the call was served)'), { code: 'ECONNRESET' });
      }
      if (c.method === 'runTask') {
        const arns = (out as { tasks: ReadonlyArray<{ arn: string }> }).tasks.map((t) => short(t.arn));
        this.log.add('aws', `${by} RunTask -> ${arns.join(',') || 'no task'}`);
      }
      return out;
    });
  }
}

/** The task id part of an ARN (enough to follow a task through a trace). */
export function short(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf('/') + 9);
}
