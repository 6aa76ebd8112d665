import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedReadme } from '../../scripts/gen-docs.js';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { DRIFT_KIND_NAMES } from '../../src/controller/plan/drift.js';
import * as api from '../../src/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    return statSync(join(root, rel)).isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

describe('README', () => {
  it('has the configuration and metrics references generated from the code (run `npm run docs`)', async () => {
    expect(readme).toBe(await generatedReadme(readme));
    for (const v of Object.values(ENV_VARS)) expect(readme).toContain(`\`${v.name}\``);
  });

  it('documents every REDIS_* and RECONCILER_* variable the code reads (README table and run --help come from ENV_VARS)', () => {
    const documented = new Set(Object.values(ENV_VARS).map((v) => v.name));
    const read = new Set<string>();
    for (const file of [...sources('src'), ...sources('cmd')]) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/env(?:\.|\[')((?:REDIS|RECONCILER)_[A-Z0-9_]+)/g)) read.add(m[1]!);
    }
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('names every drift kind', () => {
    expect(DRIFT_KIND_NAMES.filter((k) => !readme.includes(`\`${k}\``))).toEqual([]);
  });

  it('documents the exit codes of brake status', () => {
    expect(readme).toMatch(/`reconciler brake status`[^.]*exits 3 while the brake is engaged/);
  });

  it('has a CHANGELOG naming every exported typed error and every error code', () => {
    const errors = Object.keys(api).filter((k) => /^[A-Z]\w*Error$/.test(k) && typeof (api as Record<string, unknown>)[k] === 'function');
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.filter((e) => !changelog.includes(`\`${e}\``))).toEqual([]);
    const codes = [...readFileSync(join(root, 'src/desired/errors.ts'), 'utf8').matchAll(/^\s*\| '([A-Z_]+)'/gm)].map((m) => m[1]!);
    expect(codes.length).toBeGreaterThan(5);
    expect(codes.filter((c) => !changelog.includes(`\`${c}\``))).toEqual([]);
  });

  it('shows the two commands a newcomer types', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
