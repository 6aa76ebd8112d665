/**
 * Issue 18, item 5: least privilege inside Redis. A private `redis-server` loads the shipped
 * deploy/redis/users.acl (only the passwords filled in, plus an admin user for the test's own
 * checks). The daemon runs as `reconciler run` with the controller's user and the gateway uses
 * the client library with its own user: each does its whole job (sessions cold and warm, EFS,
 * purge, leader election, readiness) and Redis logs no refusal for either. Then every write the
 * issue lists as an attack, and the rest of what each user has no business doing, is refused.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { freePort } from '../../src/common/local-redis.js';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import { keyLayout } from '../../src/desired/keys.js';
import { ACL_USERS, KEY_OWNERS, renderAclFile, sharedRedisUserWarning } from '../../src/desired/redis-acl.js';
import { leaseKeys } from '../../src/controller/leader/lease-scripts.js';
import { brakeKeys, requestBrakeRelease } from '../../src/controller/safety/brake-release.js';
import type { SimCore } from '../../src/sim/core.js';
import type { SimServer } from '../../src/sim/http-server.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { RedisServerProcess } from '../support/redis-server.js';
import { connectTestRedis, deleteByPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';
import { HA_ENV } from '../leader/support/ha-harness.js';

const ACL_FILE = new URL('../../deploy/redis/users.acl', import.meta.url);
const PREFIX = 'esr';
const k = keyLayout(PREFIX);
const brake = brakeKeys(PREFIX);
const lease = leaseKeys(PREFIX).lease;
const password = (user: string): string => `pw-${user}-0123456789`;
const REFUSED = /NOPERM|can't run this command|can't access|no permissions/;

let dir: string;
let server: RedisServerProcess;
let admin: Redis;
let sim: { core: SimCore; sim: SimServer };
let daemon: DaemonProcess;
let gateway: SessionClient;
let httpPort: number;
const conns: Redis[] = [];

function as(user: string): Redis {
  const r = new Redis({ host: '127.0.0.1', port: server.port, username: user, password: password(user), maxRetriesPerRequest: 1, retryStrategy: () => null });
  r.on('error', () => undefined);
  conns.push(r);
  return r;
}

function envFor(user: string): Record<string, string> {
  return { REDIS_URL: server.url, REDIS_USERNAME: user, REDIS_PASSWORD: password(user) };
}

async function aclLog(): Promise<string[]> {
  const entries = (await admin.call('ACL', 'LOG')) as unknown[][];
  return entries.map((e) => {
    const f: Record<string, unknown> = {};
    for (let i = 0; i + 1 < e.length; i += 2) f[String(e[i])] = e[i + 1];
    return `${String(f['username'])}: ${String(f['reason'])} ${String(f['object'])} (${String(f['context'])})`;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'esr-acl-'));
  const shipped = readFileSync(ACL_FILE, 'utf8');
  const withPasswords = shipped.replace(/^user (\S+) off resetpass /gm, (line, user: string) => (user === 'default' ? line : `user ${user} on >${password(user)} `));
  writeFileSync(path.join(dir, 'users.acl'), `${withPasswords}user test-admin on >${password('test-admin')} ~* &* +@all\n`);
  server = await RedisServerProcess.start({ args: ['--aclfile', path.join(dir, 'users.acl')] });
  admin = as('test-admin');
  sim = await startSim();
  httpPort = await freePort();
  const env = {
    ...stackEnv(sim.sim.url, PREFIX, { ...HA_ENV, RECONCILER_POOLS: JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 5 } }) }),
    ...envFor(ACL_USERS.controller),
    RECONCILER_HTTP_HOST: '127.0.0.1',
    RECONCILER_HTTP_PORT: String(httpPort),
    RECONCILER_LOG_LEVEL: 'info',
  };
  daemon = spawnDaemon(env);
  gateway = connectSessionClient({ env: envFor(ACL_USERS.gateway), prefix: PREFIX });
}, 60_000);

afterAll(async () => {
  daemon?.child.kill('SIGTERM');
  await daemon?.exited;
  await gateway?.close();
  for (const c of conns) c.disconnect();
  await sim?.sim.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the shipped ACL file', () => {
  it('is the one the code generates for the prefix esr (npm run docs)', () => {
    expect(readFileSync(ACL_FILE, 'utf8')).toBe(renderAclFile(PREFIX));
  });
});

describe('each user does its whole job with its own ACL user', () => {
  it('gateway and daemon: cold and warm sessions, EFS, purge, leadership, readiness; no refusal logged', async () => {
    onTestFailed(async () => console.log(`--- refusals: ${(await aclLog()).join('\n')}\n--- daemon:\n${daemon.output().slice(-6000)}`));
    await gateway.setWarmPoolTarget('shell-warm', 2, { template: 'shell' });
    await eventually('the daemon sees 2 idle warm tasks', async () => {
      const text = await fetch(`http://127.0.0.1:${httpPort}/metrics`).then((r) => r.text(), () => '');
      return /esr_warm_pool_tasks\{pool="shell-warm",state="running"\} 2/.test(text);
    }, 30_000);
    await gateway.ensureSession({ id: 'cold', userId: 'alice', template: 'shell', persistence: 'required' });
    await gateway.ensureSession({ id: 'warm', userId: 'bob', template: 'shell', persistence: 'none' });
    const cold = await gateway.waitForReady('cold', { signal: AbortSignal.timeout(30_000) });
    const warm = await gateway.waitForReady('warm', { signal: AbortSignal.timeout(30_000) });
    expect((await gateway.touchSession('warm')).lastActivityAt).toBeGreaterThan(0);
    expect(await gateway.refreshSession('warm')).toBe(true);
    expect(sim.core.dump().tasks.find((t) => t.taskArn === cold.taskArn)?.content.accessPointId).toBeDefined();
    expect(warm.warm).toBe(true);
    expect((await gateway.listSessions()).sessions.map((e) => e.id).sort()).toEqual(['cold', 'warm']);
    expect((await gateway.setWarmPoolTarget('shell-warm', 1)).spec.target).toBe(1);
    expect(await gateway.deleteSession('cold')).toBe(true);
    await eventually('the deleted session purged', async () => (await gateway.getSession('cold')) === undefined, 30_000);
    await eventually('the daemon ready', async () => (await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status === 200, 30_000);
    expect(await admin.get(lease)).toMatch(new RegExp(`:${daemon.child.pid}/`));
    expect(await aclLog()).toEqual([]);
    expect(daemon.output()).not.toMatch(/NOPERM/);
    expect(daemon.output()).not.toContain('share one Redis secret');
  }, 90_000);
});

describe('without ACLs', () => {
  it('the daemon says at start-up that the gateway shares its secret', async () => {
    const prefix = uniquePrefix('esracl');
    const shared = spawnDaemon({ ...stackEnv(sim.sim.url, prefix, { RECONCILER_HTTP_PORT: '0', RECONCILER_LOG_LEVEL: 'info' }), REDIS_URL: testRedisUrl() });
    try {
      await eventually('the warning', () => shared.output().includes('share one Redis secret'), 30_000);
      expect(shared.output()).toMatch(/no Redis ACL user \(REDIS_USERNAME unset\).*REDIS_USERNAME=esr-controller/);
    } finally {
      shared.child.kill('SIGTERM');
      await shared.exited;
      const r = connectTestRedis();
      await deleteByPrefix(r, prefix);
      r.disconnect();
    }
  }, 60_000);
});

describe('everything else is refused', () => {
  async function refused(user: string, ...command: Array<string | number>): Promise<void> {
    const err = await as(user).call(String(command[0]), ...command.slice(1)).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message, `${user}: ${command.join(' ')}`).toMatch(REFUSED);
  }

  it("the gateway: the issue's seizure writes (lease, brake release, warm claims, a wrong-typed marker) and every other controller key", async () => {
    const leaseBefore = await admin.get(lease);
    const claimsBefore = await admin.hgetall(k.warmClaims);
    const g = ACL_USERS.gateway;
    await refused(g, 'SET', lease, 'gateway', 'PX', 600_000);
    await refused(g, 'SET', brake.release, '{"id":"forged"}');
    await refused(g, 'HSET', k.warmClaims, 'arn:aws:ecs:us-east-1:123456789012:task/sessions/forged', '{"sessionId":"warm"}');
    await refused(g, 'HSET', k.meta, 'x', 'y');
    await refused(g, 'DEL', k.meta);
    await refused(g, 'SET', k.leaderEpoch, '99999999999999999');
    await refused(g, 'SET', k.sessionStatus('warm'), '{}');
    await refused(g, 'SET', k.poolStatus('shell-warm'), '{}');
    await refused(g, 'ZADD', k.warmStopping, 0, 'arn');
    await refused(g, 'LPUSH', `{${PREFIX}}:session:warm:events`, 'forged');
    await refused(g, 'SET', brake.state, '{}');
    await refused(g, 'PUBLISH', k.statusChannel('warm'), '{"phase":"Running"}');
    // No command can give a key the wrong type.
    await refused(g, 'SET', k.hints, 'x');
    await refused(g, 'XADD', k.sessionIndex, '*', 'a', 'b');
    await refused(g, 'ZADD', k.hints, 0, 'x');
    await refused(g, 'HSET', k.sessionSpec('x'), 'a', 'b');
    // Scripts run with the caller's rights: declared keys and each command inside are checked.
    await refused(g, 'EVAL', "return redis.call('HSET', KEYS[1], 'a', 'b')", 1, k.warmClaims);
    await refused(g, 'EVAL', "return redis.call('SET', KEYS[1], 'x')", 1, k.hints);
    await refused(g, 'EVAL', "return redis.call('SET', KEYS[1], 'x')", 1, k.sessionStatus('warm'));
    await refused(g, 'EVAL', "return redis.call('DEL', KEYS[1])", 1, k.sessionStatus('warm'));
    for (const cmd of [['FLUSHALL'], ['KEYS', '*'], ['CONFIG', 'GET', '*'], ['ACL', 'LIST'], ['SCRIPT', 'FLUSH'], ['CLIENT', 'KILL', 'ID', '1'], ['SLOWLOG', 'GET']]) await refused(g, ...cmd);
    expect(await admin.get(lease)).toBe(leaseBefore);
    expect(await admin.hgetall(k.warmClaims)).toEqual(claimsBefore);
    expect(await admin.type(k.meta)).toBe('string');
    expect(await aclLog()).not.toEqual([]);
  });

  it('the controller: never the operator brake release, nothing outside its prefix, no admin commands', async () => {
    const c = ACL_USERS.controller;
    await refused(c, 'SET', brake.release, '{"id":"forged"}');
    await refused(c, 'SET', '{other}:session:x:status', '{}');
    await refused(c, 'GET', '{other}:session:x:spec');
    for (const cmd of [['FLUSHALL'], ['KEYS', '*'], ['CONFIG', 'SET', 'save', ''], ['ACL', 'SETUSER', 'x', 'on']]) await refused(c, ...cmd);
  });

  it('the operator releases the brake; it cannot seize the lease or forge claims and statuses', async () => {
    const o = as(ACL_USERS.operator);
    const record = await requestBrakeRelease(o, PREFIX, 'test-operator');
    expect(JSON.parse((await admin.get(brake.release))!)).toMatchObject({ id: record.id });
    await refused(ACL_USERS.operator, 'SET', lease, 'operator', 'PX', 600_000);
    await refused(ACL_USERS.operator, 'HSET', k.warmClaims, 'arn', 'x');
    await refused(ACL_USERS.operator, 'SET', k.sessionStatus('warm'), '{}');
    await refused(ACL_USERS.operator, 'FLUSHALL');
  });

  it('the default user is off: no command without a user name', async () => {
    const anon = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 1, retryStrategy: () => null, lazyConnect: true, enableReadyCheck: false });
    anon.on('error', () => undefined);
    conns.push(anon);
    await anon.connect().catch(() => undefined);
    const err = await anon.get(k.meta).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/NOAUTH|WRONGPASS|closed/i);
  });

  it('every key of the layout: the gateway writes its own with the command of its type, never one the controller owns', async () => {
    const dry = async (...cmd: string[]): Promise<string> => String(await admin.call('ACL', 'DRYRUN', ACL_USERS.gateway, ...cmd).catch((e: Error) => e.message));
    const write = { string: ['SET', 'v'], counter: ['INCR'], zset: ['ZADD', '0', 'm'], stream: ['XADD', '*', 'f', 'v'] } as const;
    for (const [name, owner] of Object.entries(KEY_OWNERS)) {
      const v = (k as unknown as Record<string, string | ((id: string) => string)>)[name]!;
      const key = typeof v === 'function' ? v('some-id') : v;
      const others = Object.entries(write).filter(([type]) => owner.writer === 'controller' || type !== owner.type);
      if (owner.writer === 'gateway') expect(await dry(write[owner.type][0], key, ...write[owner.type].slice(1)), `${name} ${key}`).toBe('OK');
      for (const [, [cmd, ...args]] of others) expect(await dry(cmd, key, ...args), `${cmd} ${key}`).toMatch(/no permissions/);
      for (const cmd of [['HSET', key, 'f', 'v'], ['DEL', key], ['LPUSH', key, 'v'], ['EXPIRE', key, '1']]) expect(await dry(...cmd), cmd.join(' ')).toMatch(/no permissions/);
    }
  });

  it('pool specs are the gateway\'s for every pool name, pool statuses never (names that end like "status")', async () => {
    for (const name of ['s', 'us', 'tus', 'atus', 'tatus', 'status', 'xstatus', 'statuses', 'shell-warm', 'a']) {
      const dry = async (key: string): Promise<string> => String(await admin.call('ACL', 'DRYRUN', ACL_USERS.gateway, 'SET', key, 'x').catch((e: Error) => e.message));
      expect(await dry(k.pool(name)), k.pool(name)).toBe('OK');
      expect(await dry(k.poolStatus(name)), k.poolStatus(name)).toMatch(/no permissions/);
    }
  });
});

describe('sharedRedisUserWarning', () => {
  it('is silent only for the controller user', () => {
    expect(sharedRedisUserWarning(ACL_USERS.controller)).toBeUndefined();
    for (const u of [undefined, '', 'default', ACL_USERS.gateway]) expect(sharedRedisUserWarning(u)).toContain('share one Redis secret');
  });
});
