/**
 * A Dockerfile reader for structure tests: comments dropped, `\` continuations joined, one
 * instruction per entry with its stage. Not a full parser (no heredocs, no ARG expansion).
 */
export interface Instruction {
  keyword: string;
  args: string;
  /** Index of the stage (FROM) the instruction belongs to; -1 before the first FROM. */
  stage: number;
}

export function parseDockerfile(text: string): Instruction[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    logical.push((pending + line).trim());
    pending = '';
  }
  if (pending.trim()) logical.push(pending.trim());
  let stage = -1;
  return logical.map((l) => {
    const [keyword = '', ...rest] = l.split(/\s+/);
    const kw = keyword.toUpperCase();
    if (kw === 'FROM') stage += 1;
    return { keyword: kw, args: rest.join(' '), stage };
  });
}

/** The JSON-array (exec) form of CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trim().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((a) => typeof a === 'string') ? (parsed as string[]) : undefined;
}

/** COPY/ADD flags (`--from=x`, `--chown=...`) and the source and destination paths. */
export function copyParts(args: string): { flags: Record<string, string>; sources: string[]; dest: string } {
  const words = args.split(/\s+/).filter(Boolean);
  const flags: Record<string, string> = {};
  while (words[0]?.startsWith('--')) {
    const [k, v = ''] = words.shift()!.slice(2).split('=');
    flags[k!] = v;
  }
  const dest = words.pop() ?? '';
  return { flags, sources: words, dest };
}
