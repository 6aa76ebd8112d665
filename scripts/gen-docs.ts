/**
 * Regenerates the README's configuration reference from src/config/env-vars.ts, between the
 * markers `<!-- env-vars:start -->` and `<!-- env-vars:end -->`, and deploy/redis/users.acl
 * (src/desired/redis-acl.ts, prefix `esr`). `npm run docs`.
 * test/docs/readme.test.ts fails when the README is out of date.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { envVarsMarkdown } from '../src/config/env-vars.js';
import { metricsMarkdown } from './metrics-docs.js';
import { renderAclFile } from '../src/desired/redis-acl.js';

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` with `content`. */
export function withSection(readme: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const a = readme.indexOf(start);
  const b = readme.indexOf(end);
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} ... ${end} markers`);
  return `${readme.slice(0, a + start.length)}\n${content}\n${readme.slice(b)}`;
}

export function withEnvTable(readme: string): string {
  return withSection(readme, 'env-vars', envVarsMarkdown());
}

/** The README with every generated section up to date. */
export async function generatedReadme(readme: string): Promise<string> {
  return withSection(withEnvTable(readme), 'metrics', await metricsMarkdown());
}

if (process.argv[1]?.endsWith('gen-docs.ts')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, await generatedReadme(readFileSync(path, 'utf8')));
  writeFileSync(new URL('../deploy/redis/users.acl', import.meta.url), renderAclFile('esr'));
  console.log('README.md configuration and metrics references and deploy/redis/users.acl regenerated');
}
