/**
 * In-memory EFS access points. CreateAccessPoint is idempotent by ClientToken: any replay of a
 * token surfaces the existing id (real EFS answers AccessPointAlreadyExists carrying
 * `AccessPointId`, whatever the other parameters; the simulator does the same).
 * A file system holds at most `limitPerFileSystem` access points (EFS default 10,000).
 */
import type { ObservedAccessPoint } from './model.js';
import type {
  CallOptions,
  CreateAccessPointInput,
  CreateAccessPointOutput,
  DescribeAccessPointsInput,
  DescribeAccessPointsOutput,
  EfsApi,
} from './aws-api.js';
import { awsError } from './fake-error.js';
import type { FakeCalls } from './fake-calls.js';

interface ApRecord {
  readonly ap: ObservedAccessPoint;
  readonly seq: number;
  readonly token: string;
}

export class FakeEfs implements EfsApi {
  private readonly points = new Map<string, ApRecord>();
  private readonly tokens = new Map<string, string>();
  private readonly fileSystems = new Set<string>();
  private seq = 0;

  constructor(
    private readonly calls: FakeCalls,
    private readonly arnPrefix: string,
    fileSystemIds: readonly string[],
    private readonly limitPerFileSystem = 10_000,
  ) {
    for (const fs of fileSystemIds) this.fileSystems.add(fs);
  }

  addFileSystem(fileSystemId: string): void {
    this.fileSystems.add(fileSystemId);
  }

  private requireFs(id: string): void {
    if (!this.fileSystems.has(id)) throw awsError('FileSystemNotFound', `File system '${id}' does not exist.`, { status: 404, fields: { ErrorCode: 'FileSystemNotFound' } });
  }

  async createAccessPoint(input: CreateAccessPointInput, opts?: CallOptions): Promise<CreateAccessPointOutput> {
    this.calls.enter('efs.createAccessPoint', opts);
    if (input.clientToken.length < 1 || input.clientToken.length > 64) {
      throw awsError('ValidationException', 'ClientToken must be 1..64 characters');
    }
    this.requireFs(input.fileSystemId);
    const existing = this.tokens.get(input.clientToken);
    if (existing !== undefined) {
      if (this.points.has(existing)) return { id: existing, accessPoint: undefined, alreadyExisted: true };
    }
    const onFs = [...this.points.values()].filter((r) => r.ap.fileSystemId === input.fileSystemId).length;
    if (onFs >= this.limitPerFileSystem) {
      throw awsError('AccessPointLimitExceeded', `File system ${input.fileSystemId} has ${onFs} access points`, { status: 403, fields: { ErrorCode: 'AccessPointLimitExceeded' } });
    }
    const seq = ++this.seq;
    const id = `fsap-${seq.toString(16).padStart(17, '0')}`;
    const ap: ObservedAccessPoint = {
      id,
      arn: `${this.arnPrefix}:access-point/${id}`,
      fileSystemId: input.fileSystemId,
      lifeCycleState: 'available',
      tags: { ...(input.tags ?? {}) },
      rootPath: input.rootDirectory?.path ?? '/',
      ...(input.posixUser ? { posixUser: { uid: input.posixUser.uid, gid: input.posixUser.gid } } : {}),
    };
    this.points.set(id, { ap, seq, token: input.clientToken });
    this.tokens.set(input.clientToken, id);
    return { id, accessPoint: ap, alreadyExisted: false };
  }

  async describeAccessPoints(input: DescribeAccessPointsInput, opts?: CallOptions): Promise<DescribeAccessPointsOutput> {
    this.calls.enter('efs.describeAccessPoints', opts);
    this.requireFs(input.fileSystemId);
    const max = input.maxResults ?? 100;
    if (!Number.isInteger(max) || max < 1 || max > 100) throw awsError('BadRequest', `MaxResults must be 1..100, got ${max}`);
    const all = [...this.points.values()].filter((r) => r.ap.fileSystemId === input.fileSystemId).sort((a, b) => a.seq - b.seq);
    const offset = input.nextToken === undefined ? 0 : Number(Buffer.from(input.nextToken, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) throw awsError('ValidationException', 'invalid NextToken');
    const page = all.slice(offset, offset + max);
    return {
      accessPoints: page.map((r) => r.ap),
      nextToken: offset + max < all.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined,
    };
  }

  async deleteAccessPoint(input: { readonly accessPointId: string }, opts?: CallOptions): Promise<void> {
    this.calls.enter('efs.deleteAccessPoint', opts);
    const rec = this.points.get(input.accessPointId);
    if (!rec) return;
    this.points.delete(input.accessPointId);
    this.tokens.delete(rec.token);
  }

  /** Every access point (no call counted). */
  all(): ObservedAccessPoint[] {
    return [...this.points.values()].sort((a, b) => a.seq - b.seq).map((r) => r.ap);
  }
}
