/**
 * This package's own package.json, found by walking up from this module's directory. The walk
 * makes the same code work from the sources (src/common/) and from the compiled output
 * (dist/src/common/), which sit at different depths below the package root.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Name in package.json; the walk stops at the first package.json carrying it. */
export const PACKAGE_NAME = 'ecs-session-reconciler';

let cached: string | undefined;

/** The package version from package.json, or `unknown` when it cannot be read. Read once. */
export function packageVersion(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === PACKAGE_NAME) return (cached = pkg.version ?? 'unknown');
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return (cached = 'unknown');
    dir = parent;
  }
}
