import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withEnvTable } from '../../scripts/gen-docs.js';
import { ENV_VARS } from '../../src/config/env-vars.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the configuration reference generated from the config schema (run `npm run docs`)', () => {
    expect(readme).toBe(withEnvTable(readme));
    for (const v of Object.values(ENV_VARS)) expect(readme).toContain(`\`${v.name}\``);
  });

  it('shows the two commands a newcomer types', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
