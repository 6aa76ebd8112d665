#!/usr/bin/env node
// Entry point of the `reconciler` CLI. The sources are TypeScript; tsx's loader runs them
// directly, so a fresh clone needs no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cmd/main.ts');
await main(process.argv);
