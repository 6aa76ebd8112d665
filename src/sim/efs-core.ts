import type {
  AccessPointDescription,
  DescribeAccessPointsResponse,
  ListTagsForResourceResponse,
  Tag,
} from '@aws-sdk/client-efs';
import { z } from 'zod';
import type { Rng } from '../common/rng.js';
import { accessPointArn, hexId, type SimAccount } from './arns.js';
import { efsError } from './errors.js';
import { efsTags, parseInput } from './validate.js';

const fsId = z.string().regex(/^(arn:aws[-a-z]*:elasticfilesystem:[0-9a-z-:]+:file-system\/fs-[0-9a-f]{8,40}|fs-[0-9a-f]{8,40})$/, 'must be a file system ID (fs-...) or ARN');
const apId = z.string().regex(/^(arn:aws[-a-z]*:elasticfilesystem:[0-9a-z-:]+:access-point\/fsap-[0-9a-f]{8,40}|fsap-[0-9a-f]{8,40})$/, 'must be an access point ID (fsap-...) or ARN');
const uint = z.number().int().min(0).max(4294967295);

const createInput = z.object({
  ClientToken: z.string().min(1).max(64),
  FileSystemId: fsId,
  Tags: efsTags.optional(),
  PosixUser: z.object({ Uid: uint, Gid: uint, SecondaryGids: z.array(uint).max(16).optional() }).optional(),
  RootDirectory: z
    .object({
      Path: z.string().min(1).max(100).regex(/^\//, 'must start with /').optional(),
      CreationInfo: z.object({ OwnerUid: uint, OwnerGid: uint, Permissions: z.string().regex(/^[0-7]{3,4}$/, 'must be octal like 0755') }).optional(),
    })
    .optional(),
});
const describeInput = z.object({
  MaxResults: z.number().int().min(1).max(100).optional(),
  NextToken: z.string().optional(),
  AccessPointId: apId.optional(),
  FileSystemId: fsId.optional(),
});
const deleteInput = z.object({ AccessPointId: apId });
const tagInput = z.object({ ResourceId: z.string().min(1), Tags: efsTags });
const untagInput = z.object({ ResourceId: z.string().min(1), TagKeys: z.array(z.string().min(1)).min(1).max(50) });
const listTagsInput = z.object({ ResourceId: z.string().min(1), MaxResults: z.number().int().min(1).max(100).optional(), NextToken: z.string().optional() });

export type CreateAccessPointInput = z.input<typeof createInput>;

export interface EfsSimDeps {
  rng: Rng;
  account: SimAccount;
  /** When set, only these file systems exist (others: FileSystemNotFound); otherwise every well-formed ID does. */
  fileSystems?: readonly string[];
  /** Access points per file system (EFS: 10,000). */
  accessPointLimit?: number;
  /**
   * A repeated ClientToken: `error` (default, as the EFS API documents) answers AccessPointAlreadyExists
   * carrying the existing AccessPointId; `return` gives back the existing access point when the
   * parameters are identical (and the error otherwise).
   */
  replay?: 'error' | 'return';
}

interface StoredAccessPoint {
  ap: AccessPointDescription;
  fingerprint: string;
}

/** EFS access points with ClientToken idempotency and tags. */
export class EfsSim {
  private readonly aps = new Map<string, StoredAccessPoint>();
  private readonly tokens = new Map<string, string>();

  constructor(private readonly d: EfsSimDeps) {}

  private bareFsId(id: string): string {
    const bare = id.slice(id.lastIndexOf('/') + 1);
    if (this.d.fileSystems && !this.d.fileSystems.includes(bare)) throw efsError.fileSystemNotFound(bare);
    return bare;
  }

  createAccessPoint(input: unknown): AccessPointDescription {
    const req = parseInput('efs', 'CreateAccessPoint', createInput, input);
    const fs = this.bareFsId(req.FileSystemId);
    const fp = JSON.stringify([fs, req.PosixUser ?? null, req.RootDirectory ?? null, req.Tags ?? []]);
    const existingId = this.tokens.get(req.ClientToken);
    const existing = existingId ? this.aps.get(existingId) : undefined;
    if (existing) {
      const id = existing.ap.AccessPointId!;
      if (existing.fingerprint === fp && this.d.replay === 'return') return structuredClone(existing.ap);
      const why = existing.fingerprint === fp ? 'already exists' : 'already exists with different parameters';
      throw efsError.accessPointAlreadyExists(`Access point with ClientToken '${req.ClientToken}' ${why}: ${id}`, id);
    }
    const limit = this.d.accessPointLimit ?? 10_000;
    if ([...this.aps.values()].filter((s) => s.ap.FileSystemId === fs).length >= limit) throw efsError.accessPointLimitExceeded(fs, limit);
    const id = `fsap-${hexId(this.d.rng, 17)}`;
    const tags: Tag[] = (req.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value }));
    const ap: AccessPointDescription = {
      ClientToken: req.ClientToken,
      Name: tags.find((t) => t.Key === 'Name')?.Value,
      Tags: tags,
      AccessPointId: id,
      AccessPointArn: accessPointArn(this.d.account, id),
      FileSystemId: fs,
      PosixUser: req.PosixUser,
      RootDirectory: req.RootDirectory ?? { Path: '/' },
      OwnerId: this.d.account.accountId,
      LifeCycleState: 'available',
    };
    for (const k of Object.keys(ap) as Array<keyof AccessPointDescription>) if (ap[k] === undefined) delete ap[k];
    this.aps.set(id, { ap, fingerprint: fp });
    this.tokens.set(req.ClientToken, id);
    return structuredClone(ap);
  }

  describeAccessPoints(input: unknown): DescribeAccessPointsResponse {
    const req = parseInput('efs', 'DescribeAccessPoints', describeInput, input);
    if (req.AccessPointId && req.FileSystemId) throw efsError.badRequest('Specify either AccessPointId or FileSystemId, not both.');
    let list: AccessPointDescription[];
    if (req.AccessPointId) {
      list = [this.find(req.AccessPointId).ap];
    } else {
      const fs = req.FileSystemId ? this.bareFsId(req.FileSystemId) : undefined;
      list = [...this.aps.values()].map((s) => s.ap).filter((ap) => fs === undefined || ap.FileSystemId === fs);
    }
    const { items, next } = page(list, req.MaxResults ?? 100, req.NextToken);
    return { AccessPoints: structuredClone(items), ...(next ? { NextToken: next } : {}) };
  }

  deleteAccessPoint(input: unknown): Record<string, never> {
    const req = parseInput('efs', 'DeleteAccessPoint', deleteInput, input);
    const stored = this.find(req.AccessPointId);
    this.aps.delete(stored.ap.AccessPointId!);
    this.tokens.delete(stored.ap.ClientToken!);
    return {};
  }

  tagResource(input: unknown): Record<string, never> {
    const req = parseInput('efs', 'TagResource', tagInput, input);
    const { ap } = this.find(req.ResourceId);
    const tags = ap.Tags ?? (ap.Tags = []);
    for (const t of req.Tags) {
      const e = tags.find((x) => x.Key === t.Key);
      if (e) e.Value = t.Value;
      else tags.push({ Key: t.Key, Value: t.Value });
    }
    if (tags.length > 50) throw efsError.badRequest('A resource can have at most 50 tags.');
    ap.Name = tags.find((t) => t.Key === 'Name')?.Value;
    return {};
  }

  untagResource(input: unknown): Record<string, never> {
    const req = parseInput('efs', 'UntagResource', untagInput, input);
    const { ap } = this.find(req.ResourceId);
    ap.Tags = (ap.Tags ?? []).filter((t) => !req.TagKeys.includes(t.Key!));
    return {};
  }

  listTagsForResource(input: unknown): ListTagsForResourceResponse {
    const req = parseInput('efs', 'ListTagsForResource', listTagsInput, input);
    const { ap } = this.find(req.ResourceId);
    const { items, next } = page(ap.Tags ?? [], req.MaxResults ?? 100, req.NextToken);
    return { Tags: structuredClone(items), ...(next ? { NextToken: next } : {}) };
  }

  private find(ref: string): StoredAccessPoint {
    const id = ref.slice(ref.lastIndexOf('/') + 1);
    const s = this.aps.get(id);
    if (!s) throw efsError.accessPointNotFound(id);
    return s;
  }

  /** Access points held and ClientTokens remembered (one per access point created). */
  sizes(): Record<string, number> {
    return { accessPoints: this.aps.size, accessPointTokens: this.tokens.size };
  }

  /** Every access point, not copied (read only: the state dump). */
  peekAll(): ReadonlyArray<Readonly<AccessPointDescription>> {
    return [...this.aps.values()].map((s) => s.ap);
  }

  all(): AccessPointDescription[] {
    return [...this.aps.values()].map((s) => structuredClone(s.ap));
  }

  reset(): void {
    this.aps.clear();
    this.tokens.clear();
  }
}

/** Offset paging with an opaque token. */
function page<T>(list: T[], max: number, token: string | undefined): { items: T[]; next?: string } {
  let offset = 0;
  if (token !== undefined) {
    const n = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(n) || n < 0) throw efsError.badRequest('Invalid NextToken.');
    offset = n;
  }
  const items = list.slice(offset, offset + max);
  const end = offset + items.length;
  return end < list.length ? { items, next: Buffer.from(String(end)).toString('base64url') } : { items };
}
