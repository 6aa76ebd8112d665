#!/usr/bin/env node
// Entry point of the `reconciler` CLI: runs the compiled JavaScript in dist/ (`npm run build`
// makes it; the published package ships it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cmd/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('reconciler: dist/ is missing; run `npm run build` first (a published package ships it built)');
  process.exit(1);
}
const { main: run } = await import(main.href);
await run(process.argv);
