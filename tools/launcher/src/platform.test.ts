// startPlatform with stand-in services (no database): order, environment, failures,
// supervision, extra processes, stop, leftovers of a killed run.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { optionsFromEnv } from './cli-env.ts';
import { startPlatform, type Platform } from './platform.ts';
import { isAlive, waitForPidExit } from './process-util.ts';
import type { ServiceSpec } from './services.ts';
import { FIXTURE, fixtureSpec, getJson, LogCollector, scratchDir } from './test-fixtures/helpers.ts';

const scratch = scratchDir('platform');
afterAll(() => scratch.remove());
let n = 0;
const dataDir = () => path.join(scratch.dir, `run-${++n}`);

const fast = { maxCrashes: 2, windowMs: 60_000, backoffMs: 50, maxBackoffMs: 100 };

function pidsOf(p: Platform): number[] {
  return [...p.processes.values()].map((x) => x.pid).filter((x): x is number => x !== undefined);
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('startPlatform', () => {
  it('starts in dependency order without serialising independent services, passes the environment, stops everything', async () => {
    const logs = new LogCollector();
    const services: ServiceSpec[] = [
      fixtureSpec('alpha'),
      fixtureSpec('beta', { FIXTURE_READY_DELAY_MS: '300' }, { dependsOn: ['alpha'], database: false }),
      fixtureSpec('gamma', {}, { dependsOn: ['alpha'] }),
      fixtureSpec('gateway', {}, { dependsOn: ['alpha', 'beta', 'gamma', 'not-started'] }),
    ];
    const dir = dataDir();
    const p = await startPlatform({
      dataDir: dir,
      ports: 'auto',
      services,
      log: logs.log,
      baseEnv: { PATH: process.env.PATH, AUTH_DATABASE_URL: 'postgres://secret@x/y', DATABASE_URL: 'postgres://inherited', LAUNCHER_X: '1', KEEP_ME: 'yes', FIELD_ENCRYPTION_KEYS: 'k1:x' },
      extraEnv: { SHARED: 'all' },
    });
    try {
      const idx = (re: RegExp) => logs.index(re);
      expect(idx(/^beta: starting/)).toBeGreaterThan(idx(/^alpha: ready/));
      expect(idx(/^gamma: starting/)).toBeGreaterThan(idx(/^alpha: ready/));
      expect(idx(/^gamma: starting/)).toBeLessThan(idx(/^beta: ready/)); // not waiting for its sibling
      expect(idx(/^gateway: starting/)).toBeGreaterThan(Math.max(idx(/^beta: ready/), idx(/^gamma: ready/)));

      expect(Object.keys(p.urls).sort()).toEqual(['alpha', 'beta', 'gamma', 'gateway']);
      expect(p.docsUrl).toBe(`http://localhost:${p.processes.get('gateway')?.port}/docs`);
      expect(p.postgres).toBeUndefined(); // nobody needs a database: no PostgreSQL at all
      const env = await getJson(`${p.urls.gamma}/env`);
      expect(env.PORT).toBe(String(p.processes.get('gamma')?.port));
      expect(env.HOST).toBe('127.0.0.1');
      expect(env.LOG_LEVEL).toBe('info');
      expect(env.ALPHA_URL).toBe(p.urls.alpha);
      expect(env.GATEWAY_URL).toBe(p.urls.gateway);
      expect(env.HEALTHMATCH_DATA_DIR).toMatch(/shared\/data$/);
      expect(env.SHARED).toBe('all');
      expect(env.KEEP_ME).toBe('yes');
      expect(env.FIELD_ENCRYPTION_KEYS).toBe('k1:x'); // services' secrets pass through as given
      expect(env.DATABASE_URL).toBeUndefined(); // no database of its own, and the inherited one is dropped
      expect(env.AUTH_DATABASE_URL).toBeUndefined(); // launcher-only variables stay with the launcher
      expect(env.LAUNCHER_X).toBeUndefined();

      const state = JSON.parse(readFileSync(path.join(dir, 'launcher.json'), 'utf8')) as { run: { pid: number; children: Record<string, { pid: number }> } };
      expect(state.run.pid).toBe(process.pid);
      expect(Object.keys(state.run.children).sort()).toEqual(['alpha', 'beta', 'gamma', 'gateway']);
    } finally {
      const pids = pidsOf(p);
      await p.stop();
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
    }
    const state = JSON.parse(readFileSync(path.join(dir, 'launcher.json'), 'utf8')) as { run?: unknown };
    expect(state.run).toBeUndefined();
    for (const s of ['alpha', 'beta', 'gamma', 'gateway']) expect(existsSync(path.join(dir, 'logs', `${s}.log`))).toBe(true);
    expect(readFileSync(path.join(dir, 'logs', 'launcher.log'), 'utf8')).toContain('alpha: ready');
  });

  it('fails loudly when a service cannot start, and stops what it had started', async () => {
    const logs = new LogCollector();
    const dir = dataDir();
    const err = (await startPlatform({
      dataDir: dir,
      ports: 'auto',
      log: logs.log,
      services: [
        fixtureSpec('alpha'),
        fixtureSpec('slow', { FIXTURE_READY_DELAY_MS: '60000' }, { dependsOn: ['alpha'] }),
        fixtureSpec('broken', { FIXTURE_MODE: 'exit-at-start' }, { dependsOn: ['alpha'] }),
        fixtureSpec('gateway', {}, { dependsOn: ['slow', 'broken'] }),
      ],
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^broken did not become ready: exited \(exit code 3\)/);
    expect(err.message).toContain('fixture cannot start');
    expect(logs.index(/^gateway: starting/)).toBe(-1);
    const state = JSON.parse(readFileSync(path.join(dir, 'launcher.json'), 'utf8')) as { run?: unknown };
    expect(state.run).toBeUndefined();
    // Every process it spawned (the launcher notes each spawn in the service's log) is gone.
    const spawned = ['alpha', 'slow', 'broken'].map((s) => {
      const notes = readFileSync(path.join(dir, 'logs', `${s}.log`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { launcher?: boolean; pid: number; msg: string });
      return notes.find((r) => r.launcher && r.msg.startsWith('spawned'))?.pid;
    });
    expect(spawned.every((pid) => typeof pid === 'number')).toBe(true);
    for (const pid of spawned) expect(isAlive(pid as number)).toBe(false);
  });

  it('refuses at once, listing every service whose entry file is missing', async () => {
    const logs = new LogCollector();
    const err = (await startPlatform({
      dataDir: dataDir(),
      ports: 'auto',
      log: logs.log,
      services: [
        { name: 'auth', defaultPort: 0, database: true, dependsOn: [], entry: 'services/nope-auth/src/server.ts' },
        { name: 'users', defaultPort: 0, database: true, dependsOn: [], entry: 'services/nope-users/src/server.ts' },
      ],
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe(
      'cannot start HealthMatch: these services have no entry file yet:\n  auth: services/nope-auth/src/server.ts\n  users: services/nope-users/src/server.ts',
    );
    expect(logs.text()).not.toContain('postgres');
  });

  it('names the services whose ports are taken', async () => {
    const blocker = await startPlatform({ dataDir: dataDir(), ports: 'auto', services: [fixtureSpec('alpha')], log: () => {} });
    try {
      const port = blocker.processes.get('alpha')?.port as number;
      const err = (await startPlatform({ dataDir: dataDir(), ports: { beta: port }, services: [fixtureSpec('beta')], log: () => {} }).catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(`beta: port ${port} (set BETA_PORT to use another)`);
    } finally {
      await blocker.stop();
    }
  });

  it('spawns an extra process of a service, restarts crashed ones, stops extras too', async () => {
    const logs = new LogCollector();
    const p = await startPlatform({ dataDir: dataDir(), ports: 'auto', services: [fixtureSpec('alpha'), fixtureSpec('booking')], log: logs.log, restartPolicy: fast });
    try {
      const extra = await p.spawnService('booking', { env: { MARK: 'second' } });
      expect(extra.id).toBe('booking#2');
      expect(extra.port).not.toBe(p.processes.get('booking')?.port);
      const env = await getJson(`${extra.url}/env`);
      expect(env.MARK).toBe('second');
      expect(env.ALPHA_URL).toBe(p.urls.alpha);
      expect(p.processes.get('booking#2')).toBe(extra);

      const main = p.processes.get('booking');
      const before = main?.pid;
      await p.kill('booking');
      await until(() => main?.status === 'ready' && main.pid !== before, 'booking back');
      expect(logs.text()).toMatch(/✖ booking crashed \(pid \d+\): killed by SIGKILL/);

      const restarted = await p.restart('alpha');
      expect(restarted.status).toBe('ready');
      const pids = pidsOf(p);
      expect(pids).toHaveLength(3);
      await p.stop();
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
    } finally {
      await p.stop();
    }
  });

  it('stops everything when a service keeps crashing (the default when no onFatal is given)', async () => {
    const logs = new LogCollector();
    const p = await startPlatform({
      dataDir: dataDir(),
      ports: 'auto',
      services: [fixtureSpec('steady'), fixtureSpec('flaky', { FIXTURE_MODE: 'crash-after-ready', FIXTURE_CRASH_AFTER_MS: '1000' })],
      log: logs.log,
      restartPolicy: fast,
    });
    const steady = p.processes.get('steady')?.pid as number;
    await until(() => logs.text().includes('HealthMatch'), 'the platform to give up');
    expect(await waitForPidExit(steady, 10_000)).toBe(true);
    expect(logs.text()).toContain('flaky crashed 2 times within 60.0s; giving up; stopping HealthMatch');
    await p.stop();
  });

  it('hands a fatal error to onFatal instead when given', async () => {
    const fatal: Error[] = [];
    const p = await startPlatform({
      dataDir: dataDir(),
      ports: 'auto',
      services: [fixtureSpec('flaky', { FIXTURE_MODE: 'crash-after-ready', FIXTURE_CRASH_AFTER_MS: '1000' })],
      log: () => {},
      restartPolicy: { ...fast, maxCrashes: 1 },
      onFatal: (e) => fatal.push(e),
    });
    try {
      await until(() => fatal.length === 1, 'onFatal');
      expect(fatal[0]?.message).toBe('flaky crashed 1 times within 60.0s; giving up');
    } finally {
      await p.stop();
    }
  });

  it('ends the children a killed launcher left behind, and refuses to share a live data directory', async () => {
    const dir = dataDir();
    mkdirSync(dir, { recursive: true });
    const stateFile = path.join(dir, 'launcher.json');
    const writeRun = (pid: number, command: string, children: Record<string, { pid: number; command: string }>) =>
      writeFileSync(stateFile, JSON.stringify({ run: { pid, command, startedAt: new Date().toISOString(), children } }));

    // A live launcher on the same data directory: refuse.
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    await new Promise((r) => sleeper.once('spawn', r));
    try {
      writeRun(sleeper.pid as number, `${process.execPath} -e setTimeout(() => {}, 60000)`, {});
      const err = (await startPlatform({ dataDir: dir, ports: 'auto', services: [fixtureSpec('alpha')], log: () => {} }).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(new RegExp(`^another launcher \\(pid ${sleeper.pid}\\) is running`));
    } finally {
      sleeper.kill('SIGKILL');
    }

    // A launcher killed with -9: its record names a dead pid, its child still holds a port.
    const orphan = spawn(process.execPath, [FIXTURE], { stdio: 'ignore', env: { ...process.env, PORT: '0' } });
    await new Promise((r) => orphan.once('spawn', r));
    const orphanExit = new Promise((r) => orphan.once('exit', r));
    writeRun(999_999, 'gone', { alpha: { pid: orphan.pid as number, command: `${process.execPath} ${FIXTURE}` }, beta: { pid: process.pid, command: 'not this one' } });
    const logs = new LogCollector();
    const p = await startPlatform({ dataDir: dir, ports: 'auto', services: [fixtureSpec('alpha')], log: logs.log });
    try {
      expect(logs.text()).toContain(`alpha: a process of a previous run is still running (pid ${orphan.pid}); stopping it`);
      await orphanExit;
      expect(logs.text()).not.toContain('beta'); // a pid now used by another program is left alone
    } finally {
      await p.stop();
    }
  });
});

describe('optionsFromEnv', () => {
  it('reads ports, database URLs and launcher settings, and lists every bad value', () => {
    const o = optionsFromEnv(
      { GATEWAY_PORT: '9080', AUTH_DATABASE_URL: 'postgres://a/b', LAUNCHER_SERVICES: 'auth, users', LAUNCHER_PG_PORT: '5555', LAUNCHER_CONSOLE_LEVEL: 'error' },
      '/repo',
    );
    expect(o.dataDir).toBe('/repo/.data');
    expect(o.ports).toEqual({ gateway: 9080 });
    expect(o.databaseUrls).toEqual({ auth: 'postgres://a/b' });
    expect(o.services).toEqual(['auth', 'users']);
    expect(o.postgresPort).toBe(5555);
    expect(o.consoleLevel).toBe('error');
    expect(() => optionsFromEnv({ BOOKING_PORT: 'x', GATEWAY_DATABASE_URL: 'postgres://a/b', LAUNCHER_PG_ADMIN_URL: 'mysql://' }, '/repo')).toThrow(
      'invalid launcher environment:\n  - BOOKING_PORT is not a port: "x"\n  - GATEWAY_DATABASE_URL: gateway has no database\n  - LAUNCHER_PG_ADMIN_URL is not a postgres:// URL',
    );
  });
});
