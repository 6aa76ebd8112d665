/**
 * "One retry policy, no fixed sleeps in loops" (DESIGN.md), checked over the source: every timer
 * in src/ and cmd/ (outside the simulator, whose timers model AWS, and the clocks themselves)
 * either takes its delay from the retry policy (src/common/retry-policy.ts) or is listed here
 * with why it is not a retry. A new `sleep(1000)` in a retry loop fails this test until it uses
 * the policy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../src/common/rng.js';
import { RetryPolicy } from '../../src/common/retry-policy.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TIMER_CALL = /\b(sleep|setTimeout|setInterval|setTimer)\(/;
/** Delays drawn from the retry policy (directly, through a Backoff, or the queue's limiter). */
const FROM_POLICY = /backoff\.next\(\)|\.when\(|delayMs\(|reconnectDelay\(/;

/** Timers that are not retries: file, a substring of the line, and why. */
const NOT_RETRIES: Array<{ file: string; line: string; why: string }> = [
  { file: 'src/app/run-daemon.ts', line: 'process.exit(0), 1000', why: 'a one-shot exit deadline, not a loop' },
  { file: 'src/app/health-checks.ts', line: 'no answer within', why: 'a probe deadline (one per check)' },
  { file: 'src/app/health-checks.ts', line: 'setInterval(', why: 'the event-loop lag monitor measures its own tick; it calls nothing' },
  { file: 'src/common/local-redis.ts', line: 'socket.setTimeout(', why: 'a socket deadline, not a delay' },
  { file: 'src/common/stall-safe-timeout.ts', line: 'const timer = setTimeout(', why: 'a call deadline (stall-safe), not a delay' },
  { file: 'src/observed/inflight-refresher.ts', line: 'this.timer = this.opts.clock.setTimer(', why: 'the fast-refresh cadence of starting/stopping tasks (a period, not a retry; its reads go through the ECS breaker)' },
  { file: 'src/events/redis-events.ts', line: 'this.timer ??= this.clock.setTimer(', why: 'batches event writes (one flush delay, no loop)' },
  { file: 'src/demo/run-demo.ts', line: 'setTimeout(r, 1000)', why: "the demo's once-a-second status line" },
  { file: 'src/desired/client.ts', line: 'const t = this.clock.setTimer(', why: "waitForReady's safety-net re-read period (a watch, not a retry)" },
  { file: 'src/desired/client.ts', line: 'const deadline = this.clock.setTimer(', why: "waitForReady's deadline" },
  { file: 'src/controller/leader/leader-elector.ts', line: 'this.timer = this.clock.setTimer(', why: 'the lease period; after a failed acquire the delay is acquireBackoff.next() (the line above)' },
  { file: 'src/controller/queue/work-queue.ts', line: 'drainWaiter', why: 'the shutdown grace deadline' },
  { file: 'src/controller/queue/delaying-queue.ts', line: 'head.readyAt', why: 'fires at the earliest ready time the limiters (retry policy) computed' },
  { file: 'src/controller/safety/brake-release.ts', line: 'this.timer = this.o.clock.setTimer(', why: 'the release poll period; after a failed poll the delay is backoff.next() (the line above)' },
  { file: 'src/controller/events/task-event-source.ts', line: 'inactivePollMs', why: 'a follower checks leadership (no call to any dependency)' },
  { file: 'src/controller/execute/degradation.ts', line: 'deps.clock.setTimer(', why: 'a one-shot deadline for the queue-position estimate' },
  { file: 'src/controller/controller.ts', line: 'this.resyncTimer = this.clock.setTimer(', why: 'the periodic full resync (±10% jitter); a failed half retries on its own backoff (sync-half.ts)' },
  { file: 'src/controller/sync-half.ts', line: 'this.retryTimer = this.o.clock.setTimer(', why: 'its delay is this.backoff.next() (the closing line of the call)' },
  { file: 'src/controller/resilience/deadline.ts', line: 'DeadlineExceededError', why: 'a call deadline' },
  { file: 'src/controller/resilience/token-bucket.ts', line: 'this.timer = this.clock.setTimer(', why: 'wakes waiters when tokens refill (rate limit, not retry)' },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

function timerCalls(): Array<{ file: string; line: string; no: number }> {
  const files = [...sourceFiles(path.join(ROOT, 'src')), ...sourceFiles(path.join(ROOT, 'cmd'))]
    .map((f) => path.relative(ROOT, f))
    .filter((f) => !f.startsWith('src/sim/') && f !== 'src/common/clock.ts');
  return files.flatMap((file) =>
    readFileSync(path.join(ROOT, file), 'utf8')
      .split('\n')
      .map((line, i) => ({ file, line, no: i + 1 }))
      .filter(({ line }) => TIMER_CALL.test(line) && !/^\s*(\*|\/\/)/.test(line)),
  );
}

describe('no fixed-interval sleep outside the retry policy', () => {
  it('every timer in src/ and cmd/ takes its delay from the retry policy or is a listed non-retry', () => {
    const unexplained = timerCalls()
      .filter(({ file, line }) => !FROM_POLICY.test(line) && !NOT_RETRIES.some((n) => n.file === file && line.includes(n.line)))
      .map(({ file, line, no }) => `${file}:${no}: ${line.trim()}`);
    expect(unexplained).toEqual([]);
  });

  it('the list names only timers that exist (a stale entry would hide nothing)', () => {
    const calls = timerCalls();
    const stale = NOT_RETRIES.filter((n) => !calls.some((c) => c.file === n.file && c.line.includes(n.line)));
    expect(stale).toEqual([]);
  });

  it('the retry loops draw from the policy: hints loop, sync halves, first sync, leader acquisition, reconnects, brake poll, task events', () => {
    const text = (f: string): string => readFileSync(path.join(ROOT, f), 'utf8');
    expect(text('src/controller/controller.ts')).toMatch(/sleep\(backoff\.next\(\), signal\)/);
    expect(text('src/controller/sync-half.ts')).toMatch(/this\.backoff\.next\(\)/);
    expect(text('src/controller/leader/leader-elector.ts')).toMatch(/acquireBackoff\.next\(\)/);
    expect(text('src/desired/redis-connection.ts')).toMatch(/retryStrategy: \(times: number\) => reconnectDelay\(/);
    expect(text('src/desired/redis-connection.ts')).toMatch(/new RetryPolicy\(/);
    expect(text('src/controller/safety/brake-release.ts')).toMatch(/this\.backoff\.next\(\)/);
    expect(text('src/controller/events/task-event-source.ts')).toMatch(/this\.backoff\.when\('receive'\)/);
  });
});

describe('RetryPolicy', () => {
  it('draws every delay from [0, min(cap, base * 2^n)) and resets after success', () => {
    const p = new RetryPolicy({ baseMs: 1000, capMs: 30_000, rng: new SeededRng(5) });
    const b = p.backoff();
    const ceilings: number[] = [];
    for (let n = 0; n < 10; n++) {
      const d = b.next();
      ceilings.push(p.ceilingMs(n));
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(p.ceilingMs(n));
    }
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    b.reset();
    expect(b.failures).toBe(0);
    expect(b.next()).toBeLessThan(1000);
  });

  it('is full jitter: delays spread over the whole range, not clustered at the ceiling', () => {
    const p = new RetryPolicy({ baseMs: 1000, capMs: 1000, rng: new SeededRng(9) });
    const draws = Array.from({ length: 2000 }, () => p.delayMs(0));
    expect(Math.min(...draws)).toBeLessThan(50);
    expect(Math.max(...draws)).toBeGreaterThan(950);
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    expect(mean).toBeGreaterThan(450);
    expect(mean).toBeLessThan(550);
  });

  it('refuses a cap below the base, naming both', () => {
    expect(() => new RetryPolicy({ baseMs: 100, capMs: 10, rng: new SeededRng(1) })).toThrow(/baseMs=100 capMs=10/);
  });
});
