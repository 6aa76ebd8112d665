/**
 * What scrape-time gauges read: the controller's cache (sessions, warm tasks) and its clock.
 * One scrape computes one summary (memoised per `now`), so several gauges share one pass.
 */
import { isExpired } from '../desired/records.js';
import { findCondition, type SessionStatus } from '../desired/schema.js';
import type { SessionEntry } from '../desired/types.js';
import { isLive, isRunning, isStarting, type ObservedTask } from '../observed/model.js';

export interface ScrapeSource {
  sessions(): Iterable<SessionEntry>;
  /** Unclaimed warm tasks by pool (the cache's task index `warmByPool`). */
  warmByPool(): ReadonlyMap<string, readonly ObservedTask[]>;
  /** Failed starts in a row by pool (tasks stopped before RUNNING, batches that started none). */
  poolFailedStarts?(): ReadonlyMap<string, number>;
  /** Epoch ms on the controller's clock. */
  now(): number;
}

export const emptyScrapeSource: ScrapeSource = { sessions: () => [], warmByPool: () => new Map(), now: () => Date.now() };

export interface WarmCounts {
  starting: number;
  running: number;
  stopping: number;
}

export interface ScrapeSummary {
  byPhase: Map<string, number>;
  desired: number;
  oldestUnconvergedSeconds: number;
  warm: Map<string, WarmCounts>;
}

/** Converged: Running, Ready True, at the spec's generation. */
export function isConverged(generation: number, status: SessionStatus | undefined): boolean {
  return status?.phase === 'Running' && status.observedGeneration === generation && findCondition(status, 'Ready')?.status === 'True';
}

/**
 * Since when a desired session has been unconverged: the Ready condition's last transition
 * when it is False (a crash resets the clock there), else the spec's last write.
 */
export function unconvergedSince(entry: SessionEntry): number {
  const ready = findCondition(entry.status, 'Ready');
  const specAt = entry.spec?.updatedAt ?? 0;
  return ready && ready.status !== 'True' ? Math.max(ready.lastTransitionTime, specAt) : specAt;
}

export function computeSummary(source: ScrapeSource): ScrapeSummary {
  const now = source.now();
  const byPhase = new Map<string, number>();
  let desired = 0;
  let oldest = 0;
  for (const entry of source.sessions()) {
    const phase = entry.status?.phase ?? 'Pending';
    byPhase.set(phase, (byPhase.get(phase) ?? 0) + 1);
    if (!entry.spec || entry.spec.deleted || isExpired(entry.spec, entry.status)) continue; // an Expired life asks for no task
    desired += 1;
    if (!isConverged(entry.spec.generation, entry.status)) oldest = Math.max(oldest, (now - unconvergedSince(entry)) / 1000);
  }
  const warm = new Map<string, WarmCounts>();
  for (const [pool, tasks] of source.warmByPool()) {
    const c: WarmCounts = { starting: 0, running: 0, stopping: 0 };
    for (const t of tasks) {
      if (isRunning(t)) c.running += 1;
      else if (isStarting(t)) c.starting += 1;
      else if (!isLive(t) && t.lastStatus !== 'STOPPED' && t.lastStatus !== 'DELETED') c.stopping += 1;
    }
    warm.set(pool, c);
  }
  return { byPhase, desired, oldestUnconvergedSeconds: Math.max(0, oldest), warm };
}

const memo = new WeakMap<ScrapeSource, { at: number; summary: ScrapeSummary }>();

/** `computeSummary`, memoised per source for the same `now()` (one pass per scrape). */
export function summarise(source: ScrapeSource): ScrapeSummary {
  const now = source.now();
  const hit = memo.get(source);
  if (hit && hit.at === now) return hit.summary;
  const summary = computeSummary(source);
  memo.set(source, { at: now, summary });
  return summary;
}
