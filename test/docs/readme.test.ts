import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedReadme } from '../../scripts/gen-docs.js';
import { ENV_VARS } from '../../src/config/env-vars.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has the configuration and metrics references generated from the code (run `npm run docs`)', async () => {
    expect(readme).toBe(await generatedReadme(readme));
    for (const v of Object.values(ENV_VARS)) expect(readme).toContain(`\`${v.name}\``);
  });

  it('shows the two commands a newcomer types', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });
});
