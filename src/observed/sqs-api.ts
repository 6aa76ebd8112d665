/**
 * The narrow queue interface the task-event source uses: only the two SQS calls it makes, in
 * our own types. Implementations: `SdkSqsApi` (real `@aws-sdk/client-sqs`; production and HTTP
 * tests against the simulator) and `SimSqsApi` (in-process over the simulator core on virtual
 * time). Errors are thrown as the service raised them (classified by the call guard).
 *
 * Limits (Amazon SQS API reference, ReceiveMessage / DeleteMessageBatch): 1..10 messages a
 * receive, long polling up to 20 s, visibility timeout 0..43 200 s, 1..10 entries a delete batch.
 */
import type { CallOptions } from './aws-api.js';

/** SQS: most messages per ReceiveMessage and entries per DeleteMessageBatch. */
export const SQS_BATCH_MAX = 10;
/** SQS: longest long poll (WaitTimeSeconds), seconds. */
export const SQS_MAX_WAIT_SECONDS = 20;
/** SQS: longest visibility timeout, seconds (12 h). */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

export interface ReceiveMessagesInput {
  readonly queueUrl: string;
  /** 1..10. */
  readonly maxMessages: number;
  /** Long poll: wait up to this many seconds (0..20) for a first message. */
  readonly waitSeconds: number;
  /** How long received messages stay hidden from other receives, seconds. */
  readonly visibilityTimeoutSeconds: number;
}

export interface QueueMessage {
  readonly messageId: string;
  /** Deletes this receipt of the message (only the latest receipt handle deletes). */
  readonly receiptHandle: string;
  readonly body: string;
  /** ApproximateReceiveCount: 1 on first delivery; more means it came back (not deleted in time). */
  readonly receiveCount: number | undefined;
  /** SentTimestamp, epoch ms. */
  readonly sentAt: number | undefined;
}

export interface DeleteMessagesInput {
  readonly queueUrl: string;
  /** 1..10 receipt handles. */
  readonly receiptHandles: readonly string[];
}

export interface DeleteMessagesOutput {
  /** Entries SQS refused (e.g. ReceiptHandleIsInvalid), by index into `receiptHandles`. */
  readonly failed: readonly { readonly index: number; readonly code: string; readonly message: string }[];
}

export interface SqsApi {
  /** ReceiveMessage with long polling; an empty poll resolves with []. */
  receiveMessages(input: ReceiveMessagesInput, opts?: CallOptions): Promise<QueueMessage[]>;
  /** DeleteMessageBatch; per-entry refusals come back in `failed`, not as errors. */
  deleteMessages(input: DeleteMessagesInput, opts?: CallOptions): Promise<DeleteMessagesOutput>;
}

/** One SQS `Message` (SDK or wire shape) in our type; undefined without a receipt handle or body. */
export function toQueueMessage(m: { MessageId?: string; ReceiptHandle?: string; Body?: string; Attributes?: Partial<Record<string, string>> }): QueueMessage | undefined {
  if (!m.ReceiptHandle || m.Body === undefined) return undefined;
  const count = Number(m.Attributes?.['ApproximateReceiveCount']);
  const sent = Number(m.Attributes?.['SentTimestamp']);
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    receiveCount: Number.isFinite(count) && m.Attributes?.['ApproximateReceiveCount'] !== undefined ? count : undefined,
    sentAt: Number.isFinite(sent) && m.Attributes?.['SentTimestamp'] !== undefined ? sent : undefined,
  };
}

/** DeleteMessageBatch entries (Id = index) and the refusals mapped back to indexes. */
export function deleteBatchEntries(handles: readonly string[]): { Id: string; ReceiptHandle: string }[] {
  return handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h }));
}

export function deleteBatchFailures(failed: readonly { Id?: string; Code?: string; Message?: string }[] | undefined): DeleteMessagesOutput['failed'] {
  return (failed ?? []).map((f) => ({ index: Number(f.Id), code: f.Code ?? 'Unknown', message: f.Message ?? '' }));
}
