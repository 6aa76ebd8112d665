/**
 * EfsApi over the real `@aws-sdk/client-efs` client. CreateAccessPoint's
 * AccessPointAlreadyExists (a replayed ClientToken) is success: the existing id is surfaced.
 * DeleteAccessPoint of a missing access point is success. Everything else propagates.
 */
import {
  CreateAccessPointCommand,
  DeleteAccessPointCommand,
  DescribeAccessPointsCommand,
  type EFSClient,
} from '@aws-sdk/client-efs';
import type {
  CallOptions,
  CreateAccessPointInput,
  CreateAccessPointOutput,
  DescribeAccessPointsInput,
  DescribeAccessPointsOutput,
  EfsApi,
} from './aws-api.js';
import type { ObservedAccessPoint } from './model.js';
import { parseAccessPoint } from './parse-task.js';

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string'
    ? (err as { name: string }).name
    : undefined;
}

/** The existing access point id carried by an AccessPointAlreadyExists error, if that is what `err` is. */
export function existingAccessPointId(err: unknown): string | undefined {
  if (errorName(err) !== 'AccessPointAlreadyExists') return undefined;
  const id = (err as { AccessPointId?: unknown }).AccessPointId;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

export class SdkEfsApi implements EfsApi {
  constructor(private readonly client: EFSClient) {}

  async createAccessPoint(input: CreateAccessPointInput, opts?: CallOptions): Promise<CreateAccessPointOutput> {
    try {
      const out = await this.client.send(
        new CreateAccessPointCommand({
          ClientToken: input.clientToken,
          FileSystemId: input.fileSystemId,
          PosixUser: input.posixUser && {
            Uid: input.posixUser.uid,
            Gid: input.posixUser.gid,
            SecondaryGids: input.posixUser.secondaryGids && [...input.posixUser.secondaryGids],
          },
          RootDirectory: input.rootDirectory && {
            Path: input.rootDirectory.path,
            CreationInfo: input.rootDirectory.creationInfo && {
              OwnerUid: input.rootDirectory.creationInfo.ownerUid,
              OwnerGid: input.rootDirectory.creationInfo.ownerGid,
              Permissions: input.rootDirectory.creationInfo.permissions,
            },
          },
          Tags: input.tags && Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })),
        }),
        { abortSignal: opts?.signal },
      );
      const ap = parseAccessPoint(out, input.fileSystemId);
      if (!ap) throw new Error(`EFS CreateAccessPoint on ${input.fileSystemId} returned no AccessPointId`);
      return { id: ap.id, accessPoint: ap, alreadyExisted: false };
    } catch (err) {
      const id = existingAccessPointId(err);
      if (id !== undefined) return { id, accessPoint: undefined, alreadyExisted: true };
      throw err;
    }
  }

  async describeAccessPoints(input: DescribeAccessPointsInput, opts?: CallOptions): Promise<DescribeAccessPointsOutput> {
    const out = await this.client.send(
      new DescribeAccessPointsCommand({
        FileSystemId: input.fileSystemId,
        NextToken: input.nextToken,
        MaxResults: input.maxResults,
      }),
      { abortSignal: opts?.signal },
    );
    const accessPoints: ObservedAccessPoint[] = [];
    for (const raw of out.AccessPoints ?? []) {
      const ap = parseAccessPoint(raw, input.fileSystemId);
      if (ap) accessPoints.push(ap);
    }
    return { accessPoints, nextToken: out.NextToken || undefined };
  }

  async deleteAccessPoint(input: { readonly accessPointId: string }, opts?: CallOptions): Promise<void> {
    try {
      await this.client.send(new DeleteAccessPointCommand({ AccessPointId: input.accessPointId }), {
        abortSignal: opts?.signal,
      });
    } catch (err) {
      if (errorName(err) === 'AccessPointNotFound') return;
      throw err;
    }
  }
}
