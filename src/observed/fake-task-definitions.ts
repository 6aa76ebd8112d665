/**
 * In-memory ECS task definitions: families with revisions, tags, ACTIVE status.
 * ARNs look like `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`.
 */
import type {
  CallOptions,
  ListTaskDefinitionsInput,
  ListTaskDefinitionsOutput,
  RegisterTaskDefinitionInput,
  TaskDefinitionInfo,
  Tags,
} from './aws-api.js';
import { awsError } from './fake-error.js';
import type { FakeCalls } from './fake-calls.js';

interface DefRecord {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  readonly seq: number;
  status: 'ACTIVE' | 'INACTIVE';
  tags: Record<string, string>;
  readonly input: RegisterTaskDefinitionInput;
}

const FAMILY = /^[A-Za-z0-9_-]{1,255}$/;

export class FakeTaskDefinitions {
  private readonly defs = new Map<string, DefRecord>();
  private readonly revisions = new Map<string, number>();
  private seq = 0;

  constructor(
    private readonly calls: FakeCalls,
    private readonly arnPrefix: string,
  ) {}

  private info(d: DefRecord): TaskDefinitionInfo {
    return { arn: d.arn, family: d.family, revision: d.revision, status: d.status, tags: { ...d.tags } };
  }

  /** family, family:revision, or ARN -> record; a bare family means its latest ACTIVE revision. */
  private lookup(ref: string): DefRecord | undefined {
    const direct = this.defs.get(ref);
    if (direct) return direct;
    const name = ref.includes('task-definition/') ? ref.slice(ref.indexOf('task-definition/') + 16) : ref;
    const [family, rev] = name.split(':');
    if (rev !== undefined) return this.defs.get(`${this.arnPrefix}:task-definition/${family}:${rev}`);
    let best: DefRecord | undefined;
    for (const d of this.defs.values()) {
      if (d.family === family && d.status === 'ACTIVE' && (!best || d.revision > best.revision)) best = d;
    }
    return best;
  }

  /** The ARN of the ACTIVE definition `ref` names, if any (used by RunTask). */
  resolveActive(ref: string): string | undefined {
    const d = this.lookup(ref);
    return d && d.status === 'ACTIVE' ? d.arn : undefined;
  }

  /** Adds tags to a definition; false when `arn` is not one. */
  tag(arn: string, tags: Tags): boolean {
    const d = this.defs.get(arn);
    if (!d) return false;
    d.tags = { ...d.tags, ...tags };
    return true;
  }

  async register(input: RegisterTaskDefinitionInput, opts?: CallOptions): Promise<TaskDefinitionInfo> {
    this.calls.enter('ecs.registerTaskDefinition', opts);
    if (!FAMILY.test(input.family)) throw awsError('ClientException', `invalid family name: ${input.family}`);
    if (input.containerDefinitions.length === 0) throw awsError('ClientException', 'containerDefinitions must not be empty');
    const revision = (this.revisions.get(input.family) ?? 0) + 1;
    this.revisions.set(input.family, revision);
    const arn = `${this.arnPrefix}:task-definition/${input.family}:${revision}`;
    const d: DefRecord = { arn, family: input.family, revision, seq: ++this.seq, status: 'ACTIVE', tags: { ...(input.tags ?? {}) }, input };
    this.defs.set(arn, d);
    return this.info(d);
  }

  async describe(input: { readonly taskDefinition: string }, opts?: CallOptions): Promise<TaskDefinitionInfo> {
    this.calls.enter('ecs.describeTaskDefinition', opts);
    const d = this.lookup(input.taskDefinition);
    if (!d) throw awsError('ClientException', `Unable to describe task definition ${input.taskDefinition}`);
    return this.info(d);
  }

  async list(input: ListTaskDefinitionsInput, opts?: CallOptions): Promise<ListTaskDefinitionsOutput> {
    this.calls.enter('ecs.listTaskDefinitions', opts);
    const max = input.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw awsError('InvalidParameterException', `maxResults must be 1..100, got ${max}`);
    const status = input.status ?? 'ACTIVE';
    const sorted = [...this.defs.values()]
      .filter((d) => d.status === status && (input.familyPrefix === undefined || d.family.startsWith(input.familyPrefix)))
      .sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1));
    if (input.sort === 'DESC') sorted.reverse();
    const offset = input.nextToken === undefined ? 0 : Number(Buffer.from(input.nextToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) throw awsError('InvalidParameterException', 'invalid nextToken');
    const page = sorted.slice(offset, offset + max);
    const next = offset + max < sorted.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
    return { taskDefinitionArns: page.map((d) => d.arn), nextToken: next };
  }

  /** Marks a revision INACTIVE (test hook for deregistration). */
  deregister(arn: string): void {
    const d = this.defs.get(arn);
    if (d) d.status = 'INACTIVE';
  }
}
