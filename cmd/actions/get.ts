/** Actions of `reconciler get sessions` and `reconciler get session ID` (loaded only when they run). */
import { findCondition, isReady, type SessionStatus } from '../../src/desired/schema.js';
import type { SessionEntry } from '../../src/desired/types.js';
import { withSessionClient } from './session.js';
import { textTable } from './text-table.js';

/**
 * The END column: when the session ends unless touched (`expiresAt`), or, once Expired, when it
 * ended and why (`IdleTimeout`, `MaxLifetimeExceeded`); `-` without a lifetime bound.
 */
export function endOf(s: SessionStatus | undefined): string {
  if (s?.expiresAt === undefined) return '-';
  const at = new Date(s.expiresAt).toISOString();
  return s.phase === 'Expired' ? `${at} (${findCondition(s, 'Ready')?.reason ?? 'Expired'})` : at;
}

/** Renders entries as an aligned text table. */
export function sessionTable(entries: SessionEntry[]): string {
  const rows = [['ID', 'USER', 'TEMPLATE', 'GEN', 'PHASE', 'OBSERVED', 'READY', 'ENDPOINT', 'END', 'PROBLEM']];
  for (const e of entries) {
    const s = e.status;
    rows.push([
      e.id,
      e.spec?.userId ?? '-',
      e.spec?.template ?? '-',
      e.spec ? `${e.spec.generation}${e.spec.deleted ? ' (deleted)' : ''}` : '-',
      s?.phase ?? '-',
      s ? String(s.observedGeneration) : '-',
      isReady(s) ? 'yes' : 'no',
      s?.endpoint ? `${s.endpoint.ip}:${s.endpoint.port}` : '-',
      endOf(s),
      e.invalid ? `${e.invalid.record} ${e.invalid.reason}: ${e.invalid.message}` : '',
    ]);
  }
  return textTable(rows);
}

export async function getSessions(format: 'table' | 'json'): Promise<void> {
  await withSessionClient(async (client) => {
    const all: SessionEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listSessions({ cursor, limit: 1000 });
      all.push(...page.sessions);
      cursor = page.nextCursor;
    } while (cursor);
    console.log(format === 'json' ? JSON.stringify(all, null, 2) : sessionTable(all));
  });
}

export async function getSession(id: string, format: 'table' | 'json'): Promise<void> {
  await withSessionClient(async (client) => {
    const entry = await client.getSession(id);
    if (!entry) throw new Error(`session ${id} not found`);
    console.log(format === 'json' ? JSON.stringify(entry, null, 2) : sessionTable([entry]));
  });
}
