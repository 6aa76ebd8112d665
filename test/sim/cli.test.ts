import { ListTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runSimDemo } from '../../src/sim/demo-script.js';
import { simClients } from '../../src/sim/sdk-clients.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/reconciler.js');

/** Starts `reconciler sim` and resolves with the URL it prints. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, [BIN, 'sim', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('Control:')) resolve({ child, url: m[1]!, out: () => out });
    });
    child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    child.once('exit', (code) => reject(new Error(`reconciler sim exited with ${code}: ${out}`)));
  });
}

describe('reconciler sim (CLI)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it('serves on 127.0.0.1, prints the env lines, applies a fault profile, and the SDK talks to it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esr-sim-'));
    const faults = path.join(dir, 'faults.json');
    writeFileSync(faults, JSON.stringify({ errorRate: { ListTasks: 1 } }));
    const started = await startCli(['--port', '0', '--profile', 'fast', '--seed', '3', '--faults', faults]);
    child = started.child;
    expect(started.out()).toContain(`export AWS_ENDPOINT_URL=${started.url}`);
    expect(started.out()).toContain('export AWS_REGION=us-east-1');
    const c = simClients(started.url);
    try {
      const td = await c.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [{ name: 'm', image: 'i' }] }));
      expect(td.taskDefinition!.revision).toBe(1);
      await expect(c.ecs.send(new ListTasksCommand({}))).rejects.toMatchObject({ name: 'ServerException' });
      // Task state change events arrive on the printed queue.
      const queueUrl = /export RECONCILER_EVENTS_QUEUE_URL=(\S+)/.exec(started.out())?.[1];
      expect(queueUrl).toBe(`${started.url}/123456789012/esr-task-events`);
      const run = await c.ecs.send(new RunTaskCommand({ taskDefinition: 'x', startedBy: 'cli-test' }));
      const got = await c.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20, MaxNumberOfMessages: 10 }));
      const first = JSON.parse(got.Messages![0]!.Body!) as { 'detail-type': string; resources: string[] };
      expect(first).toMatchObject({ 'detail-type': 'ECS Task State Change', resources: [run.tasks![0]!.taskArn] });
    } finally {
      c.destroy();
    }
  });

  it('rejects an invalid fault profile with a message naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'esr-sim-'));
    const faults = path.join(dir, 'bad.json');
    writeFileSync(faults, JSON.stringify({ crashRate: 7 }));
    await expect(startCli(['--faults', faults])).rejects.toThrow(/bad\.json.*crashRate/s);
  });
});

describe('simulator demo', () => {
  it('runs end to end with every check passing', async () => {
    const lines: string[] = [];
    const problems = await runSimDemo((l) => lines.push(l));
    expect(problems).toBe(0);
    expect(lines.join('\n')).toMatch(/stopCode=EssentialContainerExited/);
    expect(lines.join('\n')).toMatch(/replaying the clientToken returned the same tasks/);
  }, 30_000);
});
