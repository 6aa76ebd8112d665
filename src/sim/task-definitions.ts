import type { Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import type { Clock } from '../common/clock.js';
import { parseTaskDefinitionRef, taskDefinitionArn, type SimAccount } from './arns.js';
import { ecsError } from './errors.js';
import type { RegisterTaskDefinitionInput } from './ecs-schemas.js';

interface StoredTaskDefinition {
  def: TaskDefinition;
  tags: Tag[];
}

/**
 * Task definition families and revisions. Revisions count from 1 per family and are never
 * reused; deregistering marks a revision INACTIVE (still describable and runnable by
 * explicit revision, as in ECS), and a bare family resolves to the latest ACTIVE revision.
 */
export class TaskDefinitionRegistry {
  private readonly families = new Map<string, StoredTaskDefinition[]>();

  constructor(
    private readonly clock: Clock,
    private readonly account: SimAccount,
  ) {}

  register(input: RegisterTaskDefinitionInput): { taskDefinition: TaskDefinition; tags: Tag[] } {
    const { tags, ...rest } = input;
    const revs = this.families.get(input.family) ?? [];
    const revision = revs.length + 1;
    const def: TaskDefinition = {
      ...(rest as TaskDefinition),
      taskDefinitionArn: taskDefinitionArn(this.account, input.family, revision),
      revision,
      status: 'ACTIVE',
      registeredAt: new Date(this.clock.now()),
      compatibilities: input.requiresCompatibilities?.includes('FARGATE') ? ['EC2', 'FARGATE'] : ['EC2'],
    };
    const stored = { def, tags: (tags ?? []).map((t) => ({ key: t.key, value: t.value })) };
    revs.push(stored);
    this.families.set(input.family, revs);
    return { taskDefinition: structuredClone(def), tags: structuredClone(stored.tags) };
  }

  /** Resolves a reference; throws ClientException when it names nothing usable. */
  resolve(ref: string): { taskDefinition: TaskDefinition; tags: Tag[] } {
    const stored = this.find(ref);
    return { taskDefinition: structuredClone(stored.def), tags: structuredClone(stored.tags) };
  }

  deregister(ref: string): TaskDefinition {
    const { revision } = parseTaskDefinitionRef(ref);
    if (revision === undefined) throw ecsError.invalidParameter(`DeregisterTaskDefinition needs a revision: '${ref}'.`);
    const stored = this.find(ref);
    if (stored.def.status === 'ACTIVE') {
      stored.def.status = 'INACTIVE';
      stored.def.deregisteredAt = new Date(this.clock.now());
    }
    return structuredClone(stored.def);
  }

  /**
   * ListTaskDefinitions: the ARNs with `status` (default ACTIVE), of the family `family` when
   * given (the API calls it `familyPrefix` but documents it as "the full family name"), ordered
   * by family name then revision (ASC, the default) or the reverse (DESC).
   */
  list(filter: { family?: string; status?: string; sort?: 'ASC' | 'DESC' }): string[] {
    const status = filter.status ?? 'ACTIVE';
    const families = [...this.families.keys()].filter((f) => filter.family === undefined || f === filter.family).sort();
    const arns = families.flatMap((f) => this.families.get(f)!.filter((s) => s.def.status === status).map((s) => s.def.taskDefinitionArn!));
    return filter.sort === 'DESC' ? arns.reverse() : arns;
  }

  /** The stored tags of a task definition, found by ARN; undefined when unknown. */
  tagsOf(arn: string): Tag[] | undefined {
    try {
      return this.find(arn).tags;
    } catch {
      return undefined;
    }
  }

  private find(ref: string): StoredTaskDefinition {
    const { family, revision } = parseTaskDefinitionRef(ref);
    const revs = this.families.get(family);
    const stored =
      revision === undefined ? revs?.filter((r) => r.def.status === 'ACTIVE').at(-1) : revs?.[revision - 1];
    if (!stored) throw ecsError.client(`Unable to describe task definition '${ref}'.`);
    return stored;
  }

  /** The stored definition `ref` names, not copied (read only: the state dump reads every task's); throws as `resolve`. */
  peek(ref: string): Readonly<TaskDefinition> {
    return this.find(ref).def;
  }

  /** ARN and status of every revision, without copying the definitions (the state dump). */
  summaries(): Array<{ arn: string; status: string }> {
    return [...this.families.values()].flat().map((s) => ({ arn: s.def.taskDefinitionArn!, status: s.def.status! }));
  }

  /** Every revision, for the state dump. */
  all(): TaskDefinition[] {
    return [...this.families.values()].flat().map((s) => structuredClone(s.def));
  }

  /** Revisions registered, all families (ECS keeps every revision, INACTIVE ones too). */
  revisions(): number {
    let n = 0;
    for (const revs of this.families.values()) n += revs.length;
    return n;
  }

  clear(): void {
    this.families.clear();
  }
}
