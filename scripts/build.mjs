#!/usr/bin/env node
/**
 * `npm run build`: compiles the TypeScript to dist/ with tsc (three passes):
 *   - tsconfig.build.json: src/ and cmd/ as ES modules (the package root, the CLI, the daemon
 *     and the simulator);
 *   - tsconfig.types.json: .d.ts of the public API (src/index.ts and its imports) beside them;
 *   - tsconfig.cjs.json: the client library (src/index.ts and its imports) as CommonJS with
 *     .d.ts in dist/cjs, marked by dist/cjs/package.json {"type":"commonjs"}.
 * Flags: --clean removes dist/ first (npm pack does this through `prepack`, so a tarball never
 * carries output of deleted sources); --if-stale builds only when a source, a tsconfig or
 * package.json is newer than the last successful build (the test suite's global setup uses it).
 * Plain JavaScript, so it runs on a fresh clone without any TypeScript loader.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.tsbuildinfo', 'stamp');
const projects = ['tsconfig.build.json', 'tsconfig.types.json', 'tsconfig.cjs.json'];
const inputs = ['src', 'cmd', 'tsconfig.json', ...projects, 'package.json'];

/** Newest modification time (ms) of a file or a tree (directories count: a deletion changes theirs). */
function newestMtime(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** True when dist/ is missing or older than any build input. */
export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return inputs.some((p) => existsSync(join(root, p)) && newestMtime(join(root, p)) > built);
}

/** Runs the tsc passes; throws (with tsc's output) when either fails. */
export function build({ clean = false } = {}) {
  if (clean) rmSync(dist, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  for (const project of projects) {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
  }
  writeFileSync(join(dist, 'cjs', 'package.json'), '{ "type": "commonjs" }\n');
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--if-stale') && !isStale()) process.exit(0);
  try {
    build({ clean: args.includes('--clean') });
  } catch {
    console.error('build failed (tsc output above)');
    process.exit(1);
  }
}
