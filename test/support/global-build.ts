/**
 * Vitest global setup: compiles dist/ when a source is newer than the last build, so tests
 * that spawn `bin/reconciler.js` (which runs the compiled CLI) never run stale code.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build.mjs', import.meta.url));
  execFileSync(process.execPath, [script, '--if-stale'], { stdio: 'inherit' });
}
