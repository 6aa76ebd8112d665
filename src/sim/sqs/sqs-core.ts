import type {
  CreateQueueResult,
  DeleteMessageBatchResult,
  GetQueueAttributesResult,
  GetQueueUrlResult,
  ReceiveMessageResult,
  SendMessageResult,
} from '@aws-sdk/client-sqs';
import { z } from 'zod';
import type { Clock } from '../../common/clock.js';
import type { Rng } from '../../common/rng.js';
import type { SimAccount } from '../arns.js';
import { sqsError } from '../errors.js';
import { parseInput } from '../validate.js';
import { DEFAULT_QUEUE_SETTINGS, SqsQueue } from './sqs-queue.js';

/** SQS limits from the API reference: batches of 1..10, long polls of 0..20 s, visibility 0..12 h. */
export const SQS_LIMITS = { maxBatch: 10, maxWaitS: 20, maxVisibilityS: 43_200, maxDelayS: 900, maxBodyBytes: 262_144 } as const;

const queueName = z.string().regex(/^[A-Za-z0-9_-]{1,80}$/, 'must be 1-80 letters, digits, hyphens or underscores');
const queueUrl = z.string().min(1);
const createQueueInput = z.looseObject({ QueueName: queueName, Attributes: z.record(z.string(), z.string()).optional() });
const getQueueUrlInput = z.looseObject({ QueueName: queueName });
const getQueueAttributesInput = z.looseObject({ QueueUrl: queueUrl, AttributeNames: z.array(z.string()).optional() });
const sendMessageInput = z.looseObject({
  QueueUrl: queueUrl,
  MessageBody: z.string().min(1).refine((b) => Buffer.byteLength(b) <= SQS_LIMITS.maxBodyBytes, `must be at most ${SQS_LIMITS.maxBodyBytes} bytes`),
  DelaySeconds: z.number().int().min(0).max(SQS_LIMITS.maxDelayS).optional(),
});
const receiveMessageInput = z.looseObject({
  QueueUrl: queueUrl,
  MaxNumberOfMessages: z.number().int().min(1).max(SQS_LIMITS.maxBatch).optional(),
  WaitTimeSeconds: z.number().int().min(0).max(SQS_LIMITS.maxWaitS).optional(),
  VisibilityTimeout: z.number().int().min(0).max(SQS_LIMITS.maxVisibilityS).optional(),
});
const deleteMessageInput = z.looseObject({ QueueUrl: queueUrl, ReceiptHandle: z.string().min(1) });
const deleteMessageBatchInput = z.looseObject({
  QueueUrl: queueUrl,
  Entries: z.array(z.object({ Id: z.string(), ReceiptHandle: z.string() })),
});

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * SQS semantics for the simulator: standard queues by name in one account, the operations the
 * controller and the simulator's event delivery use. Queue URLs are `<origin>/<account>/<name>`
 * (the shape SQS uses); a queue is found by the last two path segments, so any origin the
 * client was given works.
 */
export class SqsSim {
  private readonly queues = new Map<string, SqsQueue>();

  constructor(
    private readonly d: { clock: Clock; rng: Rng; account: SimAccount },
  ) {}

  /** The URL of a queue as served at `origin` (e.g. http://127.0.0.1:4566). */
  urlOf(name: string, origin: string): string {
    return `${origin.replace(/\/+$/, '')}/${this.d.account.accountId}/${name}`;
  }

  /** Creates a queue (idempotent by name); `settings` override the SQS defaults. */
  ensureQueue(name: string, settings: Partial<typeof DEFAULT_QUEUE_SETTINGS> = {}): SqsQueue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new SqsQueue(name, this.d.account.accountId, { ...DEFAULT_QUEUE_SETTINGS, ...settings }, this.d.clock, this.d.rng)));
    return q;
  }

  queue(name: string): SqsQueue | undefined {
    return this.queues.get(name);
  }

  private resolve(url: string): SqsQueue {
    let parts: string[];
    try {
      parts = new URL(url).pathname.split('/').filter((p) => p.length > 0);
    } catch {
      throw sqsError.queueDoesNotExist();
    }
    const [account, name] = parts.slice(-2);
    const q = name === undefined ? undefined : this.queues.get(name);
    if (!q || account !== this.d.account.accountId) throw sqsError.queueDoesNotExist();
    return q;
  }

  createQueue(input: unknown, origin: string): CreateQueueResult {
    const req = parseInput('sqs', 'CreateQueue', createQueueInput, input);
    const vt = req.Attributes?.['VisibilityTimeout'];
    const retention = req.Attributes?.['MessageRetentionPeriod'];
    this.ensureQueue(req.QueueName, {
      ...(vt !== undefined ? { visibilityTimeoutS: Number(vt) } : {}),
      ...(retention !== undefined ? { retentionS: Number(retention) } : {}),
    });
    return { QueueUrl: this.urlOf(req.QueueName, origin) };
  }

  getQueueUrl(input: unknown, origin: string): GetQueueUrlResult {
    const req = parseInput('sqs', 'GetQueueUrl', getQueueUrlInput, input);
    if (!this.queues.has(req.QueueName)) throw sqsError.queueDoesNotExist();
    return { QueueUrl: this.urlOf(req.QueueName, origin) };
  }

  getQueueAttributes(input: unknown): GetQueueAttributesResult {
    const req = parseInput('sqs', 'GetQueueAttributes', getQueueAttributesInput, input);
    const q = this.resolve(req.QueueUrl);
    const c = q.counts();
    return {
      Attributes: {
        ApproximateNumberOfMessages: String(c.visible),
        ApproximateNumberOfMessagesNotVisible: String(c.inFlight),
        ApproximateNumberOfMessagesDelayed: String(c.delayed),
        VisibilityTimeout: String(q.settings.visibilityTimeoutS),
        MessageRetentionPeriod: String(q.settings.retentionS),
        QueueArn: `arn:aws:sqs:${this.d.account.region}:${this.d.account.accountId}:${q.name}`,
      },
    };
  }

  sendMessage(input: unknown): SendMessageResult {
    const req = parseInput('sqs', 'SendMessage', sendMessageInput, input);
    const { id, md5 } = this.resolve(req.QueueUrl).send(req.MessageBody, req.DelaySeconds ?? 0);
    return { MessageId: id, MD5OfMessageBody: md5 };
  }

  async receiveMessage(input: unknown, signal?: AbortSignal): Promise<ReceiveMessageResult> {
    const req = parseInput('sqs', 'ReceiveMessage', receiveMessageInput, input);
    const q = this.resolve(req.QueueUrl);
    const messages = await q.receive(req.MaxNumberOfMessages ?? 1, req.VisibilityTimeout ?? q.settings.visibilityTimeoutS, (req.WaitTimeSeconds ?? 0) * 1000, signal);
    return messages.length > 0 ? { Messages: messages } : {};
  }

  deleteMessage(input: unknown): Record<string, never> {
    const req = parseInput('sqs', 'DeleteMessage', deleteMessageInput, input);
    this.resolve(req.QueueUrl).delete(req.ReceiptHandle);
    return {};
  }

  deleteMessageBatch(input: unknown): DeleteMessageBatchResult {
    const req = parseInput('sqs', 'DeleteMessageBatch', deleteMessageBatchInput, input);
    if (req.Entries.length === 0) throw sqsError.emptyBatchRequest();
    if (req.Entries.length > SQS_LIMITS.maxBatch) throw sqsError.tooManyEntriesInBatchRequest(req.Entries.length);
    const seen = new Set<string>();
    for (const e of req.Entries) {
      if (!BATCH_ID.test(e.Id)) throw sqsError.invalidBatchEntryId(e.Id);
      if (seen.has(e.Id)) throw sqsError.batchEntryIdsNotDistinct(e.Id);
      seen.add(e.Id);
    }
    const q = this.resolve(req.QueueUrl);
    const successful: NonNullable<DeleteMessageBatchResult['Successful']> = [];
    const failed: NonNullable<DeleteMessageBatchResult['Failed']> = [];
    for (const e of req.Entries) {
      try {
        q.delete(e.ReceiptHandle);
        successful.push({ Id: e.Id });
      } catch (err) {
        const sim = err as { code?: string; message?: string };
        failed.push({ Id: e.Id, SenderFault: true, Code: sim.code ?? 'InternalError', Message: sim.message ?? String(err) });
      }
    }
    return { Successful: successful, Failed: failed };
  }

  reset(): void {
    for (const q of this.queues.values()) q.clear();
    this.queues.clear();
  }
}
