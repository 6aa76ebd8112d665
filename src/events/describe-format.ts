/** Text rendering of `reconciler describe session` (kubectl-describe style). Pure. */
import type { SessionEntry } from '../desired/types.js';
import type { Explanation } from './explain.js';
import type { SessionEvent } from './types.js';

export interface SessionDescription {
  id: string;
  entry: SessionEntry | undefined;
  explanation: Explanation;
  events: SessionEvent[];
  now: number;
}

/** "12s", "3m4s", "2h5m", "4d3h": how long ago (or, for future times, from now). */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd()).join('\n');
}

export function formatDescription(d: SessionDescription): string {
  const { entry, explanation: why, now } = d;
  const spec = entry?.spec;
  const st = entry?.status;
  const lines: string[] = [];
  const field = (name: string, value: string | number | undefined): void => {
    lines.push(`${`${name}:`.padEnd(20)}${value === undefined || value === '' ? '-' : value}`);
  };
  field('Name', d.id);
  field('User', spec?.userId);
  field('Template', spec?.template);
  field('Persistence', spec?.persistence);
  field('Generation', spec ? `${spec.generation}${spec.deleted ? ' (deleted)' : ''}${st ? ` (observed ${st.observedGeneration})` : ''}` : undefined);
  if (entry?.invalid) field('Invalid record', `${entry.invalid.record} ${entry.invalid.reason}: ${entry.invalid.message}`);
  field('Phase', st?.phase);
  field('Task', st?.taskArn);
  field('Endpoint', st?.endpoint ? `${st.endpoint.ip}:${st.endpoint.port}` : undefined);
  field('Incarnation', st ? `${st.incarnation}${st.warm ? ' (warm)' : ''}, attempts ${st.attempts}` : undefined);
  if (st?.launchIntent) field('Launch requested', `${humanDuration(now - st.launchIntent.requestedAt)} ago (token ${st.launchIntent.clientToken})`);
  if (st?.startedAt) field('Started', `${humanDuration(now - st.startedAt)} ago`);
  if (spec?.lifetime) field('Lifetime', [spec.lifetime.idleTimeoutSeconds !== undefined ? `idle ${spec.lifetime.idleTimeoutSeconds}s` : '', spec.lifetime.maxLifetimeSeconds !== undefined ? `max ${spec.lifetime.maxLifetimeSeconds}s` : ''].filter(Boolean).join(', ') + ' as asked (the controller applies its configured defaults and caps, if any)');
  if (entry?.lastActivityAt !== undefined) field('Last activity', `${humanDuration(now - entry.lastActivityAt)} ago`);
  if (st?.expiresAt !== undefined) {
    const at = new Date(st.expiresAt).toISOString();
    field(st.phase === 'Expired' ? 'Ended' : 'Ends', st.phase === 'Expired' ? `${at} (${st.conditions.find((c) => c.type === 'Ready')?.reason ?? 'Expired'}, ${humanDuration(now - st.expiresAt)} ago)` : `${at} (${st.expiresAt >= now ? `in ${humanDuration(st.expiresAt - now)}` : 'due now'}, unless touched)`);
  }
  if (st?.lastError) field('Last error', `${st.lastError.reason}: ${st.lastError.message} (${humanDuration(now - st.lastError.at)} ago)`);
  if (st?.retryAfter) field('Retry after', new Date(st.retryAfter).toISOString());
  lines.push('Conditions:');
  if (st && st.conditions.length > 0) {
    lines.push(table([['TYPE', 'STATUS', 'REASON', 'SINCE', 'MESSAGE'], ...st.conditions.map((c) => [c.type, c.status, c.reason, humanDuration(now - c.lastTransitionTime), c.message])]));
  } else lines.push('  <none>');
  lines.push(why.converged ? `Converged:          yes (${why.message})` : 'Not converged:');
  if (!why.converged) {
    lines.push(`  Reason:           ${why.reason}`);
    lines.push(`  Why:              ${why.message}`);
    const next = why.nextAttemptAt;
    lines.push(`  Next attempt:     ${next === undefined ? 'on the next change or resync' : `${new Date(next).toISOString()} (${next >= now ? `in ${humanDuration(next - now)}` : 'due now'})`}`);
  }
  lines.push('Events:');
  if (d.events.length > 0) {
    lines.push(table([['TYPE', 'REASON', 'AGE', 'COUNT', 'MESSAGE'], ...d.events.map((e) => [e.type, e.reason, humanDuration(now - e.time), String(e.count), e.message])]));
  } else lines.push('  <none>');
  return lines.join('\n');
}
