/**
 * Regenerates the README's configuration reference from src/config/env-vars.ts, between the
 * markers `<!-- env-vars:start -->` and `<!-- env-vars:end -->`. `npm run docs`.
 * test/docs/readme.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envVarsMarkdown } from '../src/config/env-vars.js';

export const START = '<!-- env-vars:start -->';
export const END = '<!-- env-vars:end -->';

export function withEnvTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${START} ... ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${envVarsMarkdown()}\n${readme.slice(b)}`;
}

if (process.argv[1]?.endsWith('gen-docs.ts')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withEnvTable(readFileSync(path, 'utf8')));
  console.log('README.md configuration reference regenerated');
}
