/** Aligned text tables for the CLI's `-o table` output. */

/** Columns padded to their widest cell, two spaces apart; the first row is the header. */
export function textTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n');
}
