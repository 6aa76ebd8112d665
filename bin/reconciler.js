#!/usr/bin/env node
// Entry point of the `reconciler` CLI: runs the compiled JavaScript in dist/ (`npm run build`
// makes it; the published package ships it).
import { existsSync } from 'node:fs';
import module from 'node:module';

const main = new URL('../dist/cmd/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('reconciler: dist/ is missing; run `npm run build` first (a published package ships it built)');
  process.exit(1);
}
// `reconciler run`: record SIGTERM/SIGINT from here on, before the rest of the code loads, so a
// stop right after start is a clean exit 0 (src/app/early-signals.ts; main() takes it over).
const early = process.argv.slice(2).find((a) => !a.startsWith('-')) === 'run'
  ? (await import(new URL('../dist/src/app/early-signals.js', import.meta.url).href)).catchEarlySignals()
  : undefined;
// Node 22.1+ keeps compiled code in a cache under the temporary directory, so later start-ups
// skip compiling; where that directory is not writable it simply stays off. Node 20 has no such
// cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
try {
  module.enableCompileCache?.();
} catch {
  // start-up without the cache
}
const { main: run } = await import(main.href);
await run(process.argv, { earlySignals: early });
