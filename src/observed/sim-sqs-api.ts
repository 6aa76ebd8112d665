/**
 * SqsApi in-process over the simulator core (no HTTP), for the deterministic simulation and unit
 * tests on virtual time. Requests are the ones the SDK adapter sends; SimErrors come back shaped
 * like SDK service exceptions (see sim-aws-api.ts), so classification is identical.
 */
import type { SimCore } from '../sim/core.js';
import type { CallOptions } from './aws-api.js';
import { toSdkShapedError } from './sim-aws-api.js';
import { throwIfAborted } from './sdk-shaped-error.js';
import { deleteBatchEntries, deleteBatchFailures, toQueueMessage, type DeleteMessagesInput, type DeleteMessagesOutput, type QueueMessage, type ReceiveMessagesInput, type SqsApi } from './sqs-api.js';

export class SimSqsApi implements SqsApi {
  constructor(private readonly core: SimCore) {}

  async receiveMessages(input: ReceiveMessagesInput, opts?: CallOptions): Promise<QueueMessage[]> {
    throwIfAborted(opts?.signal);
    try {
      const out = await this.core.call(
        'ReceiveMessage',
        { QueueUrl: input.queueUrl, MaxNumberOfMessages: input.maxMessages, WaitTimeSeconds: input.waitSeconds, VisibilityTimeout: input.visibilityTimeoutSeconds },
        { signal: opts?.signal },
      );
      return (out.Messages ?? []).map(toQueueMessage).filter((m): m is QueueMessage => m !== undefined);
    } catch (err) {
      throw toSdkShapedError(err);
    }
  }

  async deleteMessages(input: DeleteMessagesInput, opts?: CallOptions): Promise<DeleteMessagesOutput> {
    throwIfAborted(opts?.signal);
    try {
      const out = await this.core.call('DeleteMessageBatch', { QueueUrl: input.queueUrl, Entries: deleteBatchEntries(input.receiptHandles) }, { signal: opts?.signal });
      return { failed: deleteBatchFailures(out.Failed) };
    } catch (err) {
      throw toSdkShapedError(err);
    }
  }
}
