/** The WarmStore contract, run against the Redis and the in-memory implementation. */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { isFencedError } from '../../src/desired/errors.js';
import { RESERVATION_TTL_MS, type WarmStore } from '../../src/desired/warm-schema.js';
import { spec, status, type Harness, type MakeHarness } from './contract.js';

const running = (arn: string, ip: string) => status({ phase: 'Running', taskArn: arn, endpoint: { ip, port: 8080 }, warm: true, incarnation: 1 });

export function warmStoreContract(name: string, make: MakeHarness): void {
  describe(`WarmStore contract: ${name}`, () => {
    let h: Harness & { store: Harness['store'] & WarmStore };
    afterEach(async () => h?.cleanup());
    const setup = async () => {
      h = (await make({ clock: new VirtualClock(1_000) })) as typeof h;
      await h.setEpoch(1);
      return h.store;
    };

    it('hands each task to exactly one session, even when sessions race for the same candidates', async () => {
      const store = await setup();
      const ids = Array.from({ length: 8 }, (_, i) => `s${i}`);
      for (const id of ids) await store.ensureSession(spec(id));
      const candidates = ['arn:t1', 'arn:t2', 'arn:t3'].map((arn, i) => ({ taskArn: arn, status: running(arn, `10.0.0.${i + 1}`) }));
      const results = await Promise.all(ids.map((id) => store.claimWarmTask(id, { pool: 'p', incarnation: 1, at: 5 }, candidates, 1)));
      const claimed = results.filter((r) => r.outcome === 'claimed').map((r) => (r as { taskArn: string }).taskArn);
      expect(claimed.sort()).toEqual(['arn:t1', 'arn:t2', 'arn:t3']);
      expect(results.filter((r) => r.outcome === 'taken')).toHaveLength(5);
      const claims = await store.warmClaims();
      expect([...claims.keys()].sort()).toEqual(['arn:t1', 'arn:t2', 'arn:t3']);
      const winner = claims.get('arn:t2')!.sessionId;
      const st = (await store.readSession(winner))!.status!;
      expect(st).toMatchObject({ phase: 'Running', taskArn: 'arn:t2', warm: true, endpoint: { ip: '10.0.0.2' } });
    });

    it('a claim retried after its reply was lost recognises its own effect: the same task, no second claim, the status left as it moved on', async () => {
      const store = await setup();
      await store.ensureSession(spec('a'));
      await store.ensureSession(spec('b'));
      const candidates = ['arn:w1', 'arn:w2'].map((arn, i) => ({ taskArn: arn, status: running(arn, `10.0.0.${i + 1}`) }));
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 1, at: 5 }, candidates, 1)).toEqual({ outcome: 'claimed', taskArn: 'arn:w1' });
      // The claim ran; its reply was lost. Meanwhile the session moved on (Ready after the tag).
      await store.writeStatus('a', { ...running('arn:w1', '10.0.0.1'), conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: 'ok', lastTransitionTime: 6 }] }, 1);
      // The retry, with the same candidates (another claim time).
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 1, at: 9 }, candidates, 1)).toEqual({ outcome: 'claimed', taskArn: 'arn:w1' });
      const claims = await store.warmClaims();
      expect([...claims].filter(([, c]) => c.sessionId === 'a').map(([arn]) => arn)).toEqual(['arn:w1']);
      expect((await store.readSession('a'))?.status?.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
      // Another session, or a later incarnation of the same one, is not mistaken for the retry.
      expect(await store.claimWarmTask('b', { pool: 'p', incarnation: 1, at: 9 }, candidates, 1)).toEqual({ outcome: 'claimed', taskArn: 'arn:w2' });
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 2, at: 9 }, candidates, 1)).toEqual({ outcome: 'taken' });
    });

    it('a stop reservation and a claim exclude each other atomically; a reservation lapses after its TTL', async () => {
      const store = await setup();
      await store.ensureSession(spec('a'));
      const cand = (arn: string) => [{ taskArn: arn, status: running(arn, '10.0.0.7') }];
      expect(await store.reserveForStop('arn:r', 1_000, 1)).toBe('reserved');
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 1, at: 1_500 }, cand('arn:r'), 1)).toEqual({ outcome: 'taken' });
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 1, at: 1_500 }, cand('arn:c'), 1)).toEqual({ outcome: 'claimed', taskArn: 'arn:c' });
      expect(await store.reserveForStop('arn:c', 2_000, 1)).toBe('claimed');
      // A controller that died after reserving leaves the task claimable once the TTL passed.
      expect(await store.claimWarmTask('a', { pool: 'p', incarnation: 2, at: 1_000 + RESERVATION_TTL_MS + 1 }, cand('arn:r'), 1)).toEqual({ outcome: 'claimed', taskArn: 'arn:r' });
      await h.setEpoch(3);
      await expect(store.reserveForStop('arn:z', 3_000, 2)).rejects.toSatisfy(isFencedError);
    });

    it('refuses a claim for a session that is gone, and a claim or write with a stale fencing token', async () => {
      const store = await setup();
      expect(await store.claimWarmTask('nobody', { pool: 'p', incarnation: 1, at: 5 }, [{ taskArn: 'arn:x', status: running('arn:x', '10.0.0.9') }], 1)).toEqual({ outcome: 'session-gone' });
      await store.ensureSession(spec('a'));
      await h.setEpoch(3);
      const stale = store.claimWarmTask('a', { pool: 'p', incarnation: 1, at: 5 }, [{ taskArn: 'arn:x', status: running('arn:x', '10.0.0.9') }], 2);
      await expect(stale).rejects.toSatisfy(isFencedError);
      await expect(store.writePoolStatus('p', { schemaVersion: 1, batch: 1, updatedAt: 1 }, 2)).rejects.toSatisfy(isFencedError);
      await expect(store.releaseWarmClaim('arn:x', 2)).rejects.toSatisfy(isFencedError);
      expect((await store.warmClaims()).size).toBe(0);
    });

    it('releases claims and round-trips pool status with its batch intent', async () => {
      const store = await setup();
      await store.ensureSession(spec('a'));
      await store.claimWarmTask('a', { pool: 'p', incarnation: 2, at: 5 }, [{ taskArn: 'arn:y', status: running('arn:y', '10.0.0.7') }], 1);
      expect((await store.warmClaims()).get('arn:y')).toEqual({ sessionId: 'a', pool: 'p', incarnation: 2, at: 5 });
      await store.releaseWarmClaim('arn:y', 1);
      expect((await store.warmClaims()).size).toBe(0);
      expect(await store.readPoolStatus('p')).toBeUndefined();
      const ps = { schemaVersion: 1 as const, batch: 4, intent: { batch: 4, clientToken: 'w.p.4', count: 10, requestedAt: 9 }, updatedAt: 9 };
      await store.writePoolStatus('p', ps, 1);
      expect(await store.readPoolStatus('p')).toEqual(ps);
    });
  });
}
