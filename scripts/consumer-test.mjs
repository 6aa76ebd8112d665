#!/usr/bin/env node
/**
 * Consumer test (`npm run test:consumer`, run by .ci/run): the package as a gateway gets it.
 *
 * 1. `npm pack` (its `prepack` does a clean build) and report the tarball's file count and size.
 * 2. Install the tarball into four fresh projects under os.tmpdir(): plain ESM JavaScript,
 *    CommonJS JavaScript, strict TypeScript as ESM, strict TypeScript as CommonJS (module
 *    nodenext, exactOptionalPropertyTypes, noPropertyAccessFromIndexSignature,
 *    noUncheckedIndexedAccess, erasableSyntaxOnly, skipLibCheck false). The TypeScript projects
 *    must type-check against the shipped declarations.
 * 3. For Node 20 and Node 24 (the binary of the npm package `node@24`, installed once into a
 *    cache directory under os.tmpdir(); any Node the script runs on serves its own major): start
 *    the installed package's simulator (`reconciler sim`) and daemon (`reconciler run`) on that
 *    Node, then run each project on that Node: ensureSession -> waitForReady -> deleteSession.
 *    The script then waits until the simulator shows the session's task stopped.
 *
 * Needs Redis (REDIS_URL, else 127.0.0.1:6379; keys under a unique prefix, deleted afterwards)
 * and npm with access to the registry or a warm npm cache (typescript and @types/node for the
 * TypeScript projects, node@24 for the binary; the versions are the ones this repository locks).
 * Exit code 0 when every project passed on every Node version; the output names each result.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PKG = 'ecs-session-reconciler';
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'esr-consumer-'));
const children = new Set();

function log(line) {
  console.log(`[consumer] ${line}`);
}

function npm(args, cwd) {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Version of a package as this repository's lockfile pins it (so the cache usually has it). */
function lockedVersion(name) {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const v = lock.packages[`node_modules/${name}`]?.version;
  if (!v) throw new Error(`${name} is not in package-lock.json`);
  return v;
}

/** A Node binary of the given major: this process's own, or the npm package node@MAJOR's (cached under tmpdir). */
function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  const dir = join(tmpdir(), `esr-consumer-node${major}`);
  const bin = join(dir, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `node${major}-binary`, private: true }));
    log(`installing node@${major} into ${dir}`);
    npm(['install', `node@${major}`], dir);
  }
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`)) throw new Error(`${bin} is ${version}, not Node ${major}`);
  return bin;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a long-running child; resolves when a line of its output matches `ready` (rejects if it exits first). */
function startChild(label, bin, args, env, ready, timeoutMs = 60_000) {
  const child = spawn(bin, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} not ready within ${timeoutMs} ms; output:\n${out}`)), timeoutMs);
    const onData = (b) => {
      out += b.toString();
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code ?? signal}) before it was ready; output:\n${out}`));
    });
  });
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.kill('SIGTERM');
  return exited;
}

/**
 * Resolves when `check` returns true; checks after each `everyMs`, fails after `timeoutMs`. A
 * check that throws (e.g. a reused keep-alive connection reset on a loaded machine) counts as
 * "not yet"; its last error is reported on timeout.
 */
async function until(what, check, timeoutMs = 60_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      if (err?.fatal) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${lastError.message})` : ''}`, { cause: lastError });
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---- the consumer programs -------------------------------------------------------------------

/** The same steps in each flavour; SESSION_ID comes from the environment. */
const steps = (indent) =>
  `
const id = process.env['SESSION_ID']!;
const client = connectSessionClient();
try {
  const written = await client.ensureSession({ id, userId: 'consumer', template: 'shell', persistence: 'none' });
  const ready = await client.waitForReady(id, { signal: AbortSignal.timeout(90_000), generation: written.spec.generation });
  console.log(\`ready \${id} \${ready.phase} \${ready.endpoint.ip}:\${ready.endpoint.port}\`);
  const deleted = await client.deleteSession(id);
  if (!deleted) throw new Error('deleteSession returned false');
  console.log(\`deleted \${id}\`);
} finally {
  await client.close();
}`
    .split('\n')
    .map((l) => (l ? indent + l : l))
    .join('\n');

const js = (s) => s.replace(/!;/g, ';');

const PROJECTS = {
  esm: {
    pkg: { type: 'module' },
    files: { 'index.js': `import { connectSessionClient, isReady } from '${PKG}';\nif (typeof isReady !== 'function') throw new Error('isReady missing');\n${js(steps(''))}\n` },
    run: 'index.js',
  },
  cjs: {
    pkg: { type: 'commonjs' },
    files: {
      'index.js': `'use strict';\nconst { connectSessionClient, isSessionFailedError } = require('${PKG}');\nif (typeof isSessionFailedError !== 'function') throw new Error('isSessionFailedError missing');\n(async () => {${js(steps('  '))}\n})().catch((err) => {\n  console.error(err);\n  process.exit(1);\n});\n`,
    },
    run: 'index.js',
  },
  'ts-esm': { pkg: { type: 'module' }, ts: true, files: { 'index.ts': tsProgram('esm') }, run: 'index.js' },
  // A CommonJS TypeScript gateway writes import syntax that tsc turns into require() (so no
  // verbatimModuleSyntax, which would demand `import x = require()`, itself not erasable).
  'ts-cjs': { pkg: { type: 'commonjs' }, ts: true, tsconfig: { verbatimModuleSyntax: false }, files: { 'index.ts': tsProgram('cjs') }, run: 'index.js' },
};

function tsProgram(kind) {
  const header = `import { connectSessionClient, isWaitAbortedError, type ReadyStatus, type SessionSpecInput } from '${PKG}';

// Compile-time checks of the shipped declarations under strict consumer settings.
const input: SessionSpecInput = { id: 'typed', userId: 'u', template: 'shell', persistence: 'none' };
const endpointOf = (s: ReadyStatus): string => \`\${s.endpoint.ip}:\${s.endpoint.port}\`;
void input;
void endpointOf;
void isWaitAbortedError;
`;
  // A CommonJS TypeScript file has no top-level await.
  return kind === 'esm' ? `${header}${steps('')}\n` : `${header}\nasync function main(): Promise<void> {${steps('  ')}\n}\nmain().catch((err: unknown) => {\n  console.error(err);\n  process.exit(1);\n});\n`;
}

const STRICT_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    erasableSyntaxOnly: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: '.',
  },
  files: ['index.ts'],
};

function createProject(name, spec, tarball) {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, version: '1.0.0', ...spec.pkg }, null, 2));
  for (const [file, text] of Object.entries(spec.files)) writeFileSync(join(dir, file), text);
  const extra = spec.ts ? [`typescript@${lockedVersion('typescript')}`, `@types/node@${lockedVersion('@types/node')}`] : [];
  npm(['install', tarball, ...extra], dir);
  if (spec.ts) {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ ...STRICT_TSCONFIG, compilerOptions: { ...STRICT_TSCONFIG.compilerOptions, ...spec.tsconfig } }, null, 2));
    try {
      execFileSync(process.execPath, [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      throw new Error(`${name}: tsc failed under strict settings:\n${err.stdout}${err.stderr}`, { cause: err });
    }
    log(`${name}: type-checks under strict settings (tsc ${lockedVersion('typescript')}, skipLibCheck false)`);
  }
  return dir;
}

/** Runs the simulator and the daemon from an installed copy of the package, on the given Node. */
async function startStack(nodeBin, installDir, prefix) {
  const cli = join(installDir, 'node_modules', PKG, 'bin', 'reconciler.js');
  const sim = await startChild('reconciler sim', nodeBin, [cli, 'sim', '--port', '0', '--profile', 'fast', '--no-throttle'], {}, /listening on (http:\/\/\S+)/);
  const simUrl = sim.match[1];
  const httpPort = await freePort();
  const env = {
    REDIS_URL: redisUrl,
    RECONCILER_REDIS_PREFIX: prefix,
    RECONCILER_CLUSTER: 'sessions',
    RECONCILER_TEMPLATES: JSON.stringify({ shell: { image: 'repo/shell:1', port: 8080, subnets: ['subnet-1'] } }),
    RECONCILER_RESYNC_SECONDS: '2',
    RECONCILER_INFLIGHT_REFRESH_MS: '200',
    RECONCILER_LEADER_ELECTION: 'false',
    RECONCILER_HTTP_HOST: '127.0.0.1',
    RECONCILER_HTTP_PORT: String(httpPort),
    RECONCILER_LOG_LEVEL: 'warn',
    AWS_ENDPOINT_URL: simUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASIMULATOR000000',
    AWS_SECRET_ACCESS_KEY: 'simulator-secret-key',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const daemon = spawn(nodeBin, [cli, 'run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(daemon);
  let daemonOut = '';
  daemon.stdout.on('data', (b) => (daemonOut += b.toString()));
  daemon.stderr.on('data', (b) => (daemonOut += b.toString()));
  await until('the daemon to be ready (/readyz 200)', async () => {
    if (daemon.exitCode !== null) throw Object.assign(new Error(`daemon exited (${daemon.exitCode}):\n${daemonOut}`), { fatal: true });
    return fetch(`http://127.0.0.1:${httpPort}/readyz`).then((r) => r.ok, () => false);
  });
  return { sim, simUrl, daemon, daemonOutput: () => daemonOut };
}

async function liveTasksOf(simUrl, sessionId) {
  const state = await (await fetch(`${simUrl}/_sim/state`)).json();
  return state.tasks.filter((t) => t.tags?.['esr:session'] === sessionId && t.lastStatus !== 'STOPPED');
}

function runProject(nodeBin, dir, spec, env) {
  try {
    return execFileSync(nodeBin, [spec.run], { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', stdio: 'pipe', timeout: 120_000 });
  } catch (err) {
    throw new Error(`failed:\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: err });
  }
}

async function deleteKeys(prefix) {
  const { createRequire } = await import('node:module');
  const { Redis } = createRequire(join(root, 'package.json'))('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const t0 = Date.now();
  log(`work directory ${work}`);
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work, '--loglevel=error'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }))[0];
  const tarball = join(work, packed.filename);
  log(`tarball ${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked`);
  const unwanted = packed.files.map((f) => f.path).filter((p) => /^(test|bench|deploy|docs|scripts|\.ci)\//.test(p) || (p.endsWith('.ts') && !p.endsWith('.d.ts')));
  if (unwanted.length) throw new Error(`the tarball carries files users never run: ${unwanted.slice(0, 10).join(', ')}`);

  const dirs = {};
  for (const [name, spec] of Object.entries(PROJECTS)) dirs[name] = createProject(name, spec, tarball);

  const results = [];
  for (const major of [20, 24]) {
    const nodeBin = nodeBinary(major);
    const nodeVersion = execFileSync(nodeBin, ['--version'], { encoding: 'utf8' }).trim();
    const prefix = `esr-consumer-${process.pid}-${major}`;
    const stack = await startStack(nodeBin, dirs.esm, prefix);
    log(`node ${nodeVersion}: simulator ${stack.simUrl} and daemon (reconciler run) from the installed package are up`);
    try {
      for (const [name, spec] of Object.entries(PROJECTS)) {
        const sessionId = `consumer-${name}-${major}`;
        const started = Date.now();
        try {
          const out = runProject(nodeBin, dirs[name], spec, { REDIS_URL: redisUrl, RECONCILER_REDIS_PREFIX: prefix, SESSION_ID: sessionId });
          await until(`the task of ${sessionId} to stop`, async () => (await liveTasksOf(stack.simUrl, sessionId)).length === 0);
          const line = `node ${nodeVersion} ${name}: ok in ${Date.now() - started} ms (${out.trim().split('\n').join('; ')}; task stopped)`;
          results.push({ ok: true, line });
          log(line);
        } catch (err) {
          const line = `node ${nodeVersion} ${name}: FAILED ${err.message}`;
          results.push({ ok: false, line });
          log(line);
        }
      }
    } finally {
      const code = await stopChild(stack.daemon);
      if (code !== 0) results.push({ ok: false, line: `node ${nodeVersion}: daemon exit code ${code} on SIGTERM (want 0):\n${stack.daemonOutput()}` });
      await stopChild(stack.sim.child);
      await deleteKeys(prefix);
    }
  }
  console.log(`\nConsumer test summary (${Math.round((Date.now() - t0) / 1000)} s)`);
  console.log(`  tarball: ${packed.entryCount} files, ${(packed.size / 1024).toFixed(1)} kB (unpacked ${(packed.unpackedSize / 1024).toFixed(1)} kB)`);
  for (const r of results) console.log(`  ${r.ok ? 'PASS' : 'FAIL'} ${r.line}`);
  return results.every((r) => r.ok) && results.length > 0;
}

main()
  .then((ok) => {
    process.exitCode = ok ? 0 : 1;
  })
  .catch((err) => {
    console.error(`[consumer] ${err.stack ?? err}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const c of children) await stopChild(c);
    if (!keep) rmSync(work, { recursive: true, force: true });
  });
