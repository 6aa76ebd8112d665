/**
 * deploy/Dockerfile and .dockerignore, checked for structure (no Docker engine here, so the
 * image is never built in tests): stages, base image, non-root user, init process, exec-form
 * CMD that starts `node` on a real CLI verb, curl-free health check on the daemon's port,
 * production-only install, and COPY sources that exist and are not ignored.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAllocatorVariable, JEMALLOC_PATH, MALLOC_ENV } from '../../src/app/malloc-env.js';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { copyParts, execForm, parseDockerfile } from './support/dockerfile.js';
import { REPO_ROOT } from './support/task-definition-examples.js';

const text = readFileSync(REPO_ROOT + 'deploy/Dockerfile', 'utf8');
const all = parseDockerfile(text);
const froms = all.filter((i) => i.keyword === 'FROM');
const lastStage = froms.length - 1;
const runtime = all.filter((i) => i.stage === lastStage);
const one = (kw: string) => {
  const found = runtime.filter((i) => i.keyword === kw);
  expect(found, `exactly one ${kw} in the runtime stage`).toHaveLength(1);
  return found[0]!;
};
const ignored = readFileSync(REPO_ROOT + '.dockerignore', 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const DEFAULT_PORT = ENV_VARS.httpPort.default;

describe('deploy/Dockerfile', () => {
  it('starts every stage from node:24-slim pinned by digest (one base for all stages)', () => {
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const f of froms) expect(f.args).toMatch(/^node:24-slim@sha256:[0-9a-f]{64} AS \w+$/i);
    expect(new Set(froms.map((f) => f.args.split(/\s+/)[0])).size, 'the same digest in every FROM').toBe(1);
  });

  it('compiles in a build stage and copies only the compiled output into the runtime stage', () => {
    const buildStage = all.filter((i) => i.stage < lastStage && i.keyword === 'RUN').map((i) => i.args);
    expect(buildStage.some((r) => /\bnpm run build\b/.test(r))).toBe(true);
    const runtimeCopies = runtime.filter((i) => i.keyword === 'COPY').map((i) => copyParts(i.args));
    const copied = runtimeCopies.flatMap((c) => c.sources);
    for (const src of ['src', './src', 'cmd', './cmd', 'tsconfig.json']) expect(copied, `${src} is not copied into the runtime image`).not.toContain(src);
    expect(copied).toContain('/app/dist/src');
    expect(copied).toContain('/app/dist/cmd');
  });

  it('installs production dependencies only, with npm ci', () => {
    const runs = all.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /\bnpm ci\b.*--omit=dev.*--ignore-scripts/.test(r))).toBe(true);
    expect(runs.some((r) => /\bnpm (install|i)\b/.test(r)), 'no npm install').toBe(false);
    const pkg = JSON.parse(readFileSync(REPO_ROOT + 'package.json', 'utf8')) as { dependencies: Record<string, string> };
    for (const devOnly of ['tsx', 'esbuild', 'typescript', 'pino-pretty']) expect(Object.keys(pkg.dependencies), `${devOnly} is not a runtime dependency`).not.toContain(devOnly);
  });

  it('installs no compiler, loader or pretty-printer with the production dependencies (lockfile)', () => {
    const lock = JSON.parse(readFileSync(REPO_ROOT + 'package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    const production = Object.entries(lock.packages).filter(([path, p]) => path !== '' && !p.dev && !p.devOptional).map(([path]) => path.replace(/^.*node_modules\//, ''));
    expect(production.length).toBeGreaterThan(10);
    for (const name of ['tsx', 'esbuild', 'typescript', 'pino-pretty', 'vitest']) expect(production, `${name} is installed by npm ci --omit=dev`).not.toContain(name);
    expect(production.filter((n) => n.startsWith('@esbuild/'))).toEqual([]);
  });

  it('runs as a non-root user', () => {
    const user = one('USER').args.split(':')[0];
    expect(user).not.toMatch(/^(root|0)$/);
  });

  it('runs tini as the init process, installed in the runtime stage', () => {
    expect(runtime.some((i) => i.keyword === 'RUN' && /apt-get install[^&]*\btini\b/.test(i.args))).toBe(true);
    expect(execForm(one('ENTRYPOINT').args)).toEqual(['/usr/bin/tini', '--']);
  });

  it('starts the daemon with node (exec form), on a verb the CLI has', () => {
    const cmd = execForm(one('CMD').args);
    expect(cmd).toEqual(['node', 'bin/reconciler.js', 'run']);
    expect(existsSync(REPO_ROOT + cmd![1]!)).toBe(true);
    const help = execFileSync('node', [cmd![1]!, cmd![2]!, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(help).toContain('RECONCILER_CLUSTER');
  });

  it('health-checks /healthz on the daemon port without curl or wget', () => {
    const hc = one('HEALTHCHECK').args;
    expect(hc).not.toMatch(/\b(curl|wget)\b/);
    const cmd = execForm(hc.slice(hc.indexOf('CMD') + 3).trim());
    expect(cmd?.[0]).toBe('node');
    expect(cmd?.join(' ')).toContain(`http://127.0.0.1:${DEFAULT_PORT}/healthz`);
    expect(one('EXPOSE').args).toBe(DEFAULT_PORT);
  });

  it('keeps Node\'s compile cache off, so nothing is written at run time (read-only root file system)', () => {
    expect(runtime.some((i) => i.keyword === 'ENV' && /\bNODE_DISABLE_COMPILE_CACHE=1\b/.test(i.args))).toBe(true);
  });

  it('sets the allocator of src/app/malloc-env.ts, exactly (what scenario 9 measures): jemalloc installed and linked where LD_PRELOAD names it', () => {
    const env = Object.fromEntries(runtime.filter((i) => i.keyword === 'ENV').flatMap((i) => i.args.split(/\s+/)).map((kv) => kv.split('=') as [string, string]));
    const malloc = Object.fromEntries(Object.entries(env).filter(([k]) => isAllocatorVariable(k)));
    const install = runtime.find((i) => i.keyword === 'RUN' && /apt-get install[^&]*\blibjemalloc2\b/.test(i.args));
    expect(install, 'the runtime stage installs libjemalloc2').toBeDefined();
    expect(install!.args).toContain(`/usr/lib/$(uname -m)-linux-gnu/libjemalloc.so.2" ${JEMALLOC_PATH}`);
    expect(install!.args, 'a link to nothing (an architecture Debian names otherwise) fails the build').toContain(`test -e ${JEMALLOC_PATH}`);
    // Strict: an extra variable in the legacy `ENV KEY value` form parses as KEY -> undefined.
    expect(malloc).toStrictEqual({ ...MALLOC_ENV });
    expect(Object.keys(env), 'GLIBC_TUNABLES would override the MALLOC_* variables').not.toContain('GLIBC_TUNABLES');
  });

  it('COPYs only sources that exist and are not excluded by .dockerignore, and only from earlier stages', () => {
    const stageNames = froms.map((f) => f.args.split(/\s+AS\s+/i)[1]);
    const copies = all.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD');
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      expect(c.keyword, 'COPY, not ADD').toBe('COPY');
      const { flags, sources } = copyParts(c.args);
      if (flags['from'] !== undefined) {
        expect(stageNames.slice(0, c.stage)).toContain(flags['from']);
        continue;
      }
      for (const src of sources) {
        expect(existsSync(REPO_ROOT + src), `${src} exists`).toBe(true);
        const top = src.replace(/^\.\//, '').split('/')[0]!;
        expect(ignored, `${src} is excluded by .dockerignore`).not.toContain(top);
      }
    }
  });
});

describe('.dockerignore', () => {
  it('keeps local state, secrets and dev-only trees out of the build context', () => {
    for (const entry of ['.git', 'node_modules', '.env', 'test', 'coverage']) expect(ignored).toContain(entry);
  });
});
