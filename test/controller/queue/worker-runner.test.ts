import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { SeededRng } from '../../../src/common/rng.js';
import { RateLimitingQueue } from '../../../src/controller/queue/rate-limiting-queue.js';
import { runWorkers, type ResultLabel } from '../../../src/controller/queue/worker-runner.js';

function setup() {
  const clock = new VirtualClock(0);
  const q = new RateLimitingQueue<string>({ clock, rng: new SeededRng(5) });
  const results: Array<[string, ResultLabel]> = [];
  return { clock, q, results, onResult: (k: string, l: ResultLabel) => results.push([k, l]) };
}

describe('runWorkers (controller-runtime result handling)', () => {
  it('success forgets the backoff; requeueAfter re-adds after that delay', async () => {
    const { clock, q, results, onResult } = setup();
    let calls = 0;
    const pool = runWorkers(q, 2, async () => (++calls === 1 ? { requeueAfter: 5000 } : undefined), { onResult });
    q.add('s');
    await clock.advance(0);
    expect(results).toEqual([['s', 'requeue_after']]);
    expect(q.readyAt('s')).toBe(5000);
    await clock.advance(4999);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    expect(results.at(-1)).toEqual(['s', 'success']);
    expect(q.numRequeues('s')).toBe(0);
    await pool.shutdown(10);
  });

  it('a thrown error and {requeue: true} retry with backoff; a terminal error is forgotten', async () => {
    const { clock, q, results, onResult } = setup();
    const pool = runWorkers(q, 1, async (key) => {
      if (key === 'boom') throw new Error('transient');
      if (key === 'again') return { requeue: true };
      throw Object.assign(new Error('validation'), { retryable: false });
    }, { onResult });
    q.add('boom');
    q.add('again');
    q.add('fatal');
    await clock.advance(0);
    expect(results).toEqual([['boom', 'error'], ['again', 'requeue'], ['fatal', 'terminal_error']]);
    expect(q.numRequeues('boom')).toBe(1);
    expect(q.numRequeues('again')).toBe(1);
    expect(q.numRequeues('fatal')).toBe(0);
    expect(q.readyAt('fatal')).toBeUndefined();
    await pool.shutdown(10);
  });

  it('never runs more than `concurrency` handlers at once', async () => {
    const { clock, q } = setup();
    let running = 0;
    let peak = 0;
    const pool = runWorkers(q, 3, async () => {
      running++;
      peak = Math.max(peak, running);
      await clock.sleep(100);
      running--;
    });
    for (let i = 0; i < 20; i++) q.add(`k${i}`);
    await clock.advanceUntil(() => q.len() === 0 && q.inFlight() === 0, 10_000);
    expect(peak).toBe(3);
    await pool.shutdown(10);
  });

  it('shutdown lets in-flight work finish up to the deadline, then aborts its signal and reports it', async () => {
    const { clock, q } = setup();
    let aborted = false;
    const pool = runWorkers(q, 2, async (key, { signal }) => {
      signal.addEventListener('abort', () => { aborted = true; });
      await clock.sleep(key === 'slow' ? 60_000 : 100);
    });
    q.add('quick');
    q.add('slow');
    q.add('queued-1');
    q.add('queued-2');
    await clock.advance(10);
    const report = pool.shutdown(1000);
    await clock.advance(1000);
    const r = await report;
    expect(r.drained).toBe(false);
    expect(r.inFlight).toEqual(['slow']);
    expect(r.queued).toEqual(['queued-1', 'queued-2']);
    expect(aborted).toBe(true);
    await clock.advance(60_000);
    await pool.finished;
    expect(pool.running()).toBe(0);
  });
});
