/** `reconciler get sessions [-o table|json]`, `reconciler get session ID [-o json|table]`. */
import type { Command } from 'commander';
import { isReady } from '../src/desired/schema.js';
import type { SessionEntry } from '../src/desired/types.js';
import { withSessionClient } from './session.js';

function checkOutput(o: string): 'table' | 'json' {
  if (o !== 'table' && o !== 'json') throw new Error(`-o must be table or json, got "${o}"`);
  return o;
}

/** Renders entries as an aligned text table. */
export function sessionTable(entries: SessionEntry[]): string {
  const rows = [['ID', 'USER', 'TEMPLATE', 'GEN', 'PHASE', 'OBSERVED', 'READY', 'ENDPOINT', 'PROBLEM']];
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
      e.invalid ? `${e.invalid.record} ${e.invalid.reason}: ${e.invalid.message}` : '',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}

export function registerGetCommand(program: Command): void {
  const get = program.command('get').description('show desired state and status');
  get
    .command('sessions')
    .description('list every session with its status')
    .option('-o, --output <format>', 'table | json', 'table')
    .action(async (o: { output: string }) => {
      const format = checkOutput(o.output);
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
    });
  get
    .command('session <id>')
    .description('show one session (spec, status, validation problem)')
    .option('-o, --output <format>', 'json | table', 'json')
    .action(async (id: string, o: { output: string }) => {
      const format = checkOutput(o.output);
      await withSessionClient(async (client) => {
        const entry = await client.getSession(id);
        if (!entry) throw new Error(`session ${id} not found`);
        console.log(format === 'json' ? JSON.stringify(entry, null, 2) : sessionTable([entry]));
      });
    });
}
