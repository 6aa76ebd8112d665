/** Plain-text rendering of the environment variables for `--help` (generated from ENV_VARS). */
import { ENV_VARS, type EnvVar } from './env-vars.js';

export function envVarsHelp(): string {
  const lines = ['', 'Environment variables:'];
  for (const e of Object.values(ENV_VARS) as EnvVar[]) {
    const def = e.default === undefined ? '' : ` (default ${e.default}${e.unit ? ` ${e.unit}` : ''})`;
    lines.push(`  ${e.name}${def}`, `      ${e.doc}`);
  }
  lines.push('  AWS_REGION, AWS_ENDPOINT_URL[_ECS|_EFS], AWS_PROFILE, ...', '      The standard AWS SDK environment and default credential chain.');
  return lines.join('\n');
}
