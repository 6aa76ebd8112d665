import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageCommand,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { useHarness } from './harness.js';

/** SQS over AWS JSON 1.0, spoken by the real @aws-sdk/client-sqs to the simulator. */
describe('simulated SQS over HTTP', () => {
  let url: string;
  const h = useHarness({ limits: false }, async (x) => {
    url = (await x.clients.sqs.send(new CreateQueueCommand({ QueueName: 'q1', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!;
  });

  const receiveCalls = (): number => h.core.getStats().byOperation.ReceiveMessage?.calls ?? 0;

  it('creates a queue idempotently and answers its URL at the server origin', async () => {
    expect(url).toBe(`${h.server.url}/123456789012/q1`);
    const again = await h.clients.sqs.send(new CreateQueueCommand({ QueueName: 'q1' }));
    expect(again.QueueUrl).toBe(url);
    expect((await h.clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'q1' }))).QueueUrl).toBe(url);
    const err = await h.clients.sqs.send(new GetQueueUrlCommand({ QueueName: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueueDoesNotExist);
    expect(err).toMatchObject({ $metadata: { httpStatusCode: 400 }, Code: 'AWS.SimpleQueueService.NonExistentQueue' });
  });

  it('sends, receives in batches of at most 10 (MD5 checked by the SDK) and deletes', async () => {
    for (let i = 0; i < 12; i++) await h.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
    const first = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(first.Messages).toHaveLength(10);
    expect(first.Messages!.map((m) => m.Body)).toEqual([...Array(10).keys()].map((i) => `m${i}`));
    const del = await h.clients.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: first.Messages!.map((m, i) => ({ Id: `e${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
    );
    expect(del.Successful).toHaveLength(10);
    const rest = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    expect(rest.Messages!.map((m) => m.Body)).toEqual(['m10', 'm11']);
    const attrs = await h.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    expect(attrs.Attributes).toMatchObject({ ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '2' });
  });

  it('returns an undeleted message after its visibility timeout with a new handle; only the newest handle deletes', async () => {
    await h.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const a = (await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 5, MessageSystemAttributeNames: ['All'] }))).Messages![0]!;
    expect((await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
    await h.clock.advance(5000);
    const b = (await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 5, MessageSystemAttributeNames: ['All'] }))).Messages![0]!;
    expect(b.MessageId).toBe(a.MessageId);
    expect(b.ReceiptHandle).not.toBe(a.ReceiptHandle);
    expect(b.Attributes?.ApproximateReceiveCount).toBe('2');
    await h.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: a.ReceiptHandle! })); // stale: succeeds, deletes nothing
    await h.clock.advance(5000);
    const c = (await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!;
    expect(c.MessageId).toBe(a.MessageId);
    await h.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: c.ReceiptHandle! }));
    await h.clock.advance(60_000);
    expect((await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });

  it('long-polls: answers as soon as a message arrives, or empty when WaitTimeSeconds pass', async () => {
    const before = receiveCalls();
    const waiting = h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }));
    await vi.waitFor(() => expect(receiveCalls()).toBe(before + 1), { timeout: 20_000 });
    await h.clock.advance(3000);
    h.core.sqs.queue('q1')!.send('late');
    expect((await waiting).Messages!.map((m) => m.Body)).toEqual(['late']);

    const empty = h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await vi.waitFor(() => expect(receiveCalls()).toBe(before + 2), { timeout: 20_000 });
    await h.clock.advance(19_999);
    let settled = false;
    void empty.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    await h.clock.advance(1);
    expect((await empty).Messages).toBeUndefined();
  });

  it('wakes a long poll when a received message becomes visible again', async () => {
    await h.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 2 }));
    const before = receiveCalls();
    const waiting = h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }));
    await vi.waitFor(() => expect(receiveCalls()).toBe(before + 1), { timeout: 20_000 });
    await h.clock.advance(2000);
    expect((await waiting).Messages!.map((m) => m.Body)).toEqual(['x']);
  });

  it('answers batch and parameter errors as SQS does', async () => {
    const tooMany = await h.clients.sqs
      .send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [...Array(11).keys()].map((i) => ({ Id: `e${i}`, ReceiptHandle: 'h' })) }))
      .catch((e: unknown) => e);
    expect(tooMany).toBeInstanceOf(TooManyEntriesInBatchRequest);
    const bad = await h.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'a', ReceiptHandle: 'not-a-handle' }] }));
    expect(bad.Failed).toEqual([expect.objectContaining({ Id: 'a', Code: 'ReceiptHandleIsInvalid', SenderFault: true })]);
    const badMax = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })).catch((e: unknown) => e);
    expect(badMax).toMatchObject({ name: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
    const gone = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: `${h.server.url}/123456789012/missing` })).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(QueueDoesNotExist);
  });

  it('fails SQS calls during an SQS outage with a 5xx the SDK marks as a server fault', async () => {
    h.core.startOutage('sqs', 10_000);
    const err = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url })).catch((e: unknown) => e);
    expect(err).toMatchObject({ $fault: 'server', $metadata: { httpStatusCode: 500 } });
    await h.clock.advance(10_000);
    expect((await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages).toBeUndefined();
  });
});
