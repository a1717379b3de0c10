// The launcher against real PostgreSQL: the embedded cluster (initialised once, reused,
// recovered after a kill -9) and a given server (tests' databases with a prefix).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@healthmatch/platform/embedded-postgres';
import { testAdminUrl } from '../../../packages/platform/src/testing/index.ts';
import { startPlatform, type Platform } from './platform.ts';
import { readPostmasterPid } from './postgres.ts';
import { isAlive, waitForPidExit } from './process-util.ts';
import { fixtureSpec, getJson, LogCollector, scratchDir } from './test-fixtures/helpers.ts';

const scratch = scratchDir('platform-int');
afterAll(() => scratch.remove());

async function query(url: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

const services = () => [
  fixtureSpec('auth', {}, { database: true }),
  fixtureSpec('booking', {}, { database: true, dependsOn: ['auth'] }),
  fixtureSpec('gateway', {}, { dependsOn: ['auth', 'booking'] }),
];

async function freePorts(): Promise<Record<string, number>> {
  return { auth: await freePort(), booking: await freePort(), gateway: await freePort() };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('startPlatform with the embedded PostgreSQL', () => {
  it('initialises the cluster, creates the databases, and a second start reuses both (same port)', { timeout: 120_000 }, async () => {
    const dir = path.join(scratch.dir, 'reuse');
    const logs = new LogCollector();
    let p: Platform = await startPlatform({ dataDir: dir, ports: await freePorts(), services: services(), log: logs.log });
    let pgPid: number | undefined;
    let port: number;
    try {
      expect(logs.text()).toContain('postgres: initialising a new cluster');
      expect(p.postgres).toBeDefined();
      port = p.postgres?.port as number;
      pgPid = p.postgres?.pid;
      expect(p.databaseUrls.auth).toMatch(new RegExp(`^postgres://postgres:postgres@127\\.0\\.0\\.1:${port}/hm_auth$`));
      expect(p.databaseUrls.gateway).toBeUndefined();
      const authEnv = await getJson(`${p.urls.auth}/env`);
      expect(authEnv.DATABASE_URL).toBe(p.databaseUrls.auth);
      expect((await getJson(`${p.urls.gateway}/env`)).DATABASE_URL).toBeUndefined();
      const dbs = await query(p.adminUrl as string, "select datname from pg_database where datname like 'hm_%' order by 1");
      expect(dbs.rows.map((r: { datname: string }) => r.datname)).toEqual(['hm_auth', 'hm_booking', 'hm_events']);
      await query(p.databaseUrls.booking as string, 'create table kept (v text)');
      await query(p.databaseUrls.booking as string, 'insert into kept values ($1)', ['still here']);
      // The server log says what went wrong, never the values: no DETAIL with an address.
      await query(p.databaseUrls.booking as string, 'create table people (email text primary key)');
      await query(p.databaseUrls.booking as string, 'insert into people values ($1)', ['mario.rossi@example.org']);
      await expect(query(p.databaseUrls.booking as string, 'insert into people values ($1)', ['mario.rossi@example.org'])).rejects.toThrow(/duplicate key/);
      const serverLog = path.join(dir, 'logs', 'postgres.log');
      const logText = () => (existsSync(serverLog) ? readFileSync(serverLog, 'utf8') : '');
      await until(() => logText().includes('duplicate key value violates unique constraint'), 'the violation in the server log');
      expect(logText()).not.toContain('mario.rossi@example.org');
    } finally {
      await p.stop();
    }
    expect(pgPid && isAlive(pgPid)).toBe(false);
    expect(readPostmasterPid(path.join(dir, 'pg'))).toBeUndefined(); // a clean shutdown removes it

    const again = new LogCollector();
    p = await startPlatform({ dataDir: dir, ports: await freePorts(), services: services(), log: again.log });
    try {
      expect(again.text()).toContain('postgres: starting in');
      expect(again.text()).not.toContain('initialising');
      expect(p.postgres?.port).toBe(port); // remembered in launcher.json
      const rows = await query(p.databaseUrls.booking as string, 'select v from kept');
      expect(rows.rows).toEqual([{ v: 'still here' }]);
    } finally {
      await p.stop();
    }
  });

  it('stops PostgreSQL when a service fails to start', { timeout: 120_000 }, async () => {
    const dir = path.join(scratch.dir, 'fail');
    const logs = new LogCollector();
    const err = (await startPlatform({
      dataDir: dir,
      ports: 'auto',
      services: [fixtureSpec('auth', { FIXTURE_MODE: 'exit-at-start' }, { database: true })],
      log: logs.log,
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^auth did not become ready/);
    const pid = Number(/postgres: ready in [\d.]+s \(pid (\d+)\)/.exec(logs.text())?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(isAlive(pid)).toBe(false);
    expect(logs.text()).toContain('postgres: stopped');
    expect(existsSync(path.join(dir, 'pg', 'postmaster.pid'))).toBe(false);
  });

  it('stops everything when PostgreSQL dies, and the next start recovers from the stale postmaster.pid', { timeout: 120_000 }, async () => {
    const dir = path.join(scratch.dir, 'killed');
    const logs = new LogCollector();
    const p = await startPlatform({ dataDir: dir, ports: 'auto', services: services(), log: logs.log });
    const pgPid = p.postgres?.pid as number;
    const auth = p.processes.get('auth')?.pid as number;
    await query(p.databaseUrls.auth as string, 'create table survived (v int)');
    await query(p.databaseUrls.auth as string, 'insert into survived values (1)');
    process.kill(pgPid, 'SIGKILL');
    await until(() => logs.text().includes(`PostgreSQL (pid ${pgPid}) exited unexpectedly`), 'the loud report');
    expect(await waitForPidExit(auth, 20_000)).toBe(true);
    await p.stop();
    expect(readPostmasterPid(path.join(dir, 'pg'))).toBe(pgPid); // left behind by the kill

    const again = new LogCollector();
    const q = await startPlatform({ dataDir: dir, ports: 'auto', services: services(), log: again.log });
    try {
      expect(again.text()).toContain(`postmaster.pid of an unclean stop found (pid ${pgPid} is gone)`);
      expect((await query(q.databaseUrls.auth as string, 'select v from survived')).rows).toEqual([{ v: 1 }]);
    } finally {
      await q.stop();
    }
  });

  it('shuts down a server left running by a launcher killed with -9, then starts normally', { timeout: 120_000 }, async () => {
    const dir = path.join(scratch.dir, 'orphan');
    const port = await freePort();
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const helper = spawn(process.execPath, ['--import', tsx, fileURLToPath(new URL('./test-fixtures/orphan-postgres.ts', import.meta.url)), path.join(dir, 'pg'), String(port)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      helper.stdout?.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      helper.once('exit', (code) => reject(new Error(`helper exited with ${code}`)));
    });
    const orphan = readPostmasterPid(path.join(dir, 'pg')) as number;
    helper.kill('SIGKILL');
    await new Promise((r) => helper.once('exit', r));
    expect(isAlive(orphan)).toBe(true);

    const logs = new LogCollector();
    const p = await startPlatform({ dataDir: dir, ports: 'auto', services: services(), log: logs.log });
    try {
      expect(logs.text()).toContain(`postgres: the server of a previous run is still running (pid ${orphan}); shutting it down first`);
      expect(isAlive(orphan)).toBe(false);
      expect(p.postgres?.pid).not.toBe(orphan);
    } finally {
      await p.stop();
    }
  });
});

describe('startPlatform with a given server', () => {
  it('creates fresh databases with a prefix, uses given URLs as they are, drops its databases at stop', { timeout: 60_000 }, async () => {
    const admin = testAdminUrl();
    const prefix = `t_launcher_${randomBytes(3).toString('hex')}_`;
    const given = `${admin.replace(/\/[^/]*$/, '')}/postgres`;
    const p = await startPlatform({
      dataDir: path.join(scratch.dir, 'given'),
      ports: 'auto',
      adminUrl: admin,
      databasePrefix: prefix,
      dropDatabasesOnStop: true,
      databaseUrls: { booking: given },
      services: services(),
      log: () => {},
    });
    try {
      expect(p.postgres).toBeUndefined();
      expect(p.databaseUrls.auth).toBe(`${admin.replace(/\/[^/]*$/, '')}/${prefix}auth`);
      expect((await getJson(`${p.urls.booking}/env`)).DATABASE_URL).toBe(given);
      const found = await query(admin, 'select datname from pg_database where datname like $1', [`${prefix}%`]);
      expect(found.rows.map((r: { datname: string }) => r.datname).sort()).toEqual([`${prefix}auth`, `${prefix}events`]);
      const extra = await p.spawnService('booking');
      expect((await getJson(`${extra.url}/env`)).DATABASE_URL).toBe(given); // a second process on the same database
    } finally {
      await p.stop();
    }
    const left = await query(admin, 'select datname from pg_database where datname like $1', [`${prefix}%`]);
    expect(left.rowCount).toBe(0);
  });

  it('passes EVENTS_DATABASE_URL of the shared events database to every service, or AMQP_URL instead when the user set it', { timeout: 60_000 }, async () => {
    const admin = testAdminUrl();
    const server = admin.replace(/\/[^/]*$/, '');
    const prefix = `t_launcher_${randomBytes(3).toString('hex')}_`;
    const base = { ports: 'auto' as const, adminUrl: admin, databasePrefix: prefix, dropDatabasesOnStop: true, services: services(), log: () => {} };
    const userEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'AMQP_URL' && k !== 'EVENTS_DATABASE_URL'));

    let p = await startPlatform({ ...base, dataDir: path.join(scratch.dir, 'events-pg'), baseEnv: userEnv });
    try {
      expect(p.databaseUrls.events).toBe(`${server}/${prefix}events`);
      for (const s of ['auth', 'booking', 'gateway']) {
        const env = await getJson(`${p.urls[s]}/env`);
        expect(env.EVENTS_DATABASE_URL).toBe(p.databaseUrls.events);
        expect(env.AMQP_URL).toBeUndefined();
      }
      expect((await query(p.databaseUrls.events as string, 'select 1 as ok')).rows).toEqual([{ ok: 1 }]);
    } finally {
      await p.stop();
    }

    const amqp = 'amqp://guest:guest@rabbit.invalid:5672';
    p = await startPlatform({ ...base, dataDir: path.join(scratch.dir, 'events-amqp'), baseEnv: { ...userEnv, AMQP_URL: amqp, EVENTS_DATABASE_URL: `${server}/stale` } });
    try {
      expect(p.databaseUrls.events).toBeUndefined();
      for (const s of ['auth', 'booking', 'gateway']) {
        const env = await getJson(`${p.urls[s]}/env`);
        expect(env.AMQP_URL).toBe(amqp);
        expect(env.EVENTS_DATABASE_URL).toBeUndefined();
      }
      const found = await query(admin, 'select datname from pg_database where datname like $1', [`${prefix}events`]);
      expect(found.rowCount).toBe(0);
    } finally {
      await p.stop();
    }
  });

  it('creating databases is idempotent; resetDatabases gives a clean slate', { timeout: 60_000 }, async () => {
    const admin = testAdminUrl();
    const prefix = `t_launcher_${randomBytes(3).toString('hex')}_`;
    const base = { dataDir: path.join(scratch.dir, 'reset'), ports: 'auto' as const, adminUrl: admin, databasePrefix: prefix, services: [fixtureSpec('auth', {}, { database: true })], log: () => {} };
    let p = await startPlatform(base);
    await query(p.databaseUrls.auth as string, 'create table kept (v int)');
    await p.stop();
    p = await startPlatform(base);
    try {
      expect((await query(p.databaseUrls.auth as string, 'select count(*)::int as n from kept')).rows).toEqual([{ n: 0 }]);
    } finally {
      await p.stop();
    }
    p = await startPlatform({ ...base, resetDatabases: true, dropDatabasesOnStop: true });
    try {
      const found = await query(p.databaseUrls.auth as string, "select to_regclass('public.kept') as t");
      expect(found.rows).toEqual([{ t: null }]);
    } finally {
      await p.stop();
    }
  });
});
