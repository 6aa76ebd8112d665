/**
 * SqsApi over the real `@aws-sdk/client-sqs` client (built in aws-clients.ts with the one-retry-
 * layer settings). Each call passes the caller's AbortSignal to `send`, so shutdown ends a long
 * poll at once.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { CallOptions } from './aws-api.js';
import { deleteBatchEntries, deleteBatchFailures, toQueueMessage, type DeleteMessagesInput, type DeleteMessagesOutput, type QueueMessage, type ReceiveMessagesInput, type SqsApi } from './sqs-api.js';

export class SdkSqsApi implements SqsApi {
  constructor(private readonly client: SQSClient) {}

  async receiveMessages(input: ReceiveMessagesInput, opts?: CallOptions): Promise<QueueMessage[]> {
    const out = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: input.queueUrl,
        MaxNumberOfMessages: input.maxMessages,
        WaitTimeSeconds: input.waitSeconds,
        VisibilityTimeout: input.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
      { abortSignal: opts?.signal },
    );
    return (out.Messages ?? []).map(toQueueMessage).filter((m): m is QueueMessage => m !== undefined);
  }

  async deleteMessages(input: DeleteMessagesInput, opts?: CallOptions): Promise<DeleteMessagesOutput> {
    const out = await this.client.send(new DeleteMessageBatchCommand({ QueueUrl: input.queueUrl, Entries: deleteBatchEntries(input.receiptHandles) }), { abortSignal: opts?.signal });
    return { failed: deleteBatchFailures(out.Failed) };
  }
}
