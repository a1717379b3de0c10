import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@healthmatch/platform/embedded-postgres';
import { isAlive } from './process-util.ts';
import { ManagedProcess, StartupError, type ProcessConfig, type RestartPolicy } from './supervisor.ts';
import { FIXTURE, LogCollector, scratchDir } from './test-fixtures/helpers.ts';

const scratch = scratchDir('supervisor');
afterAll(() => scratch.remove());

const started: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(started.map((p) => p.stop()));
  await Promise.all(started.map((p) => p.close()));
  started.length = 0;
});

const fastRestarts: RestartPolicy = { maxCrashes: 3, windowMs: 60_000, backoffMs: 50, maxBackoffMs: 200 };

async function fixture(id: string, env: Record<string, string>, over: Partial<ProcessConfig> = {}) {
  const port = await freePort();
  const logs = new LogCollector();
  const giveUps: Error[] = [];
  const proc = new ManagedProcess(
    {
      id,
      service: id,
      argv: [process.execPath, FIXTURE],
      cwd: scratch.dir,
      env: { ...process.env, PORT: String(port), FIXTURE_NAME: id, ...env },
      port,
      url: `http://127.0.0.1:${port}`,
      probeUrl: `http://127.0.0.1:${port}/readyz`,
      logFile: path.join(scratch.dir, `${id}.log`),
      readyTimeoutMs: 10_000,
      stopTimeoutMs: 5_000,
      restart: fastRestarts,
      consoleLevel: 40,
      ...over,
    },
    { log: logs.log, onGiveUp: (_p, err) => giveUps.push(err) },
  );
  started.push(proc);
  return { proc, logs, giveUps };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ManagedProcess', () => {
  it('waits until /readyz answers 200, logs JSON lines to its file, echoes warnings', async () => {
    const { proc, logs } = await fixture('alpha', { FIXTURE_READY_DELAY_MS: '400', FIXTURE_WARN: 'disk almost full' });
    await proc.start();
    expect(proc.status).toBe('ready');
    expect(proc.pid).toBeGreaterThan(0);
    expect(proc.readyMs).toBeGreaterThanOrEqual(400);
    const res = await fetch(`${proc.url}/readyz`);
    expect(res.status).toBe(200);
    expect(logs.text()).toContain('alpha | WARN  disk almost full');
    expect(logs.text()).not.toContain('listening on'); // info stays in the file
    await proc.stop();
    await proc.close();
    const lines = readFileSync(proc.logFile, 'utf8').trim().split('\n');
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.some((l) => l.includes('listening on'))).toBe(true);
  });

  it('reports a process that exits before it is ready, with its exit code and last output', async () => {
    const { proc } = await fixture('beta', { FIXTURE_MODE: 'exit-at-start', FIXTURE_EXIT_CODE: '7' });
    const err = await proc.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StartupError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^beta did not become ready: exited \(exit code 7\)/);
    expect(msg).toContain('DATABASE_URL is required'); // the stderr text, wrapped into the log
    expect(msg).toContain(proc.logFile);
    expect(proc.status).toBe('failed');
    await proc.close(); // flush the file
    const lines = readFileSync(proc.logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { stream?: string; msg: string });
    expect(lines.some((l) => l.stream === 'stderr' && l.msg.includes('DATABASE_URL is required'))).toBe(true);
  });

  it('keeps a long stack trace readable: the head in the error, a capped echo on the console', async () => {
    const { proc, logs } = await fixture('iota', { FIXTURE_MODE: 'dump-at-start' });
    const err = (await proc.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('| DrizzleQueryError: Failed query: CREATE TABLE "x"');
    expect(err.message).toContain('cause: relation "x" already exists');
    expect(err.message).toMatch(/… \d+ more lines …/);
    const echoed = logs.lines.filter((l) => l.message.startsWith('iota |'));
    expect(echoed).toHaveLength(9);
    expect(echoed[8]?.message).toBe(`iota | … 37 more lines in ${proc.logFile}`);
  });

  it('gives up waiting after the readiness timeout with a clear error and kills the process', async () => {
    const { proc } = await fixture('gamma', { FIXTURE_MODE: 'never-ready', FIXTURE_WARN: 'waiting for something' }, { readyTimeoutMs: 800 });
    const err = (await proc.start().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/^gamma did not become ready: no 200 from GET http:\/\/127\.0\.0\.1:\d+\/readyz within 0\.8s \(last: HTTP 503\)/);
    expect(err.message).toContain('waiting for something');
    expect(proc.pid).toBeUndefined();
  });

  it('reports a crash loudly and restarts the process', async () => {
    const counter = path.join(scratch.dir, 'delta.count');
    const { proc, logs } = await fixture('delta', {
      FIXTURE_MODE: 'crash-after-ready',
      FIXTURE_CRASH_AFTER_MS: '1000',
      FIXTURE_COUNTER_FILE: counter,
      FIXTURE_FAIL_TIMES: '1',
    });
    await proc.start();
    const firstPid = proc.pid;
    await until(() => proc.restarts === 1 && proc.status === 'ready', 'the restart');
    expect(proc.pid).not.toBe(firstPid);
    const crash = logs.lines.find((l) => l.level === 'error' && l.message.startsWith('✖ delta crashed'));
    expect(crash?.message).toMatch(/exit code 2 after [\d.]+s up/);
    expect(crash?.message).toContain('fixture is about to crash');
    expect(crash?.message).toMatch(/restarting in 0\.1s/);
    expect(logs.text()).toContain('✔ delta is back');
    expect(firstPid && isAlive(firstPid)).toBe(false);
  });

  it('restarts after kill() and gives up after too many crashes in the window', async () => {
    const { proc, logs, giveUps } = await fixture('epsilon', {});
    await proc.start();
    await proc.kill();
    await until(() => proc.restarts === 1, 'first restart');
    await proc.kill();
    await until(() => proc.restarts === 2, 'second restart');
    await proc.kill('SIGTERM'); // a clean exit the launcher did not ask for is a crash too
    await until(() => giveUps.length === 1, 'giving up');
    expect(proc.status).toBe('failed');
    expect(giveUps[0]?.message).toBe('epsilon crashed 3 times within 60.0s; giving up');
    expect(logs.text()).toContain('killed by SIGKILL');
    expect(logs.text()).toContain('exit code 0');
  });

  it('stops with SIGTERM, then SIGKILL when the process ignores it', async () => {
    const polite = await fixture('zeta', {});
    const stubborn = await fixture('eta', { FIXTURE_MODE: 'ignore-sigterm' }, { stopTimeoutMs: 300 });
    await Promise.all([polite.proc.start(), stubborn.proc.start()]);
    const pids = [polite.proc.pid, stubborn.proc.pid] as number[];
    await Promise.all([polite.proc.stop(), stubborn.proc.stop()]);
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(polite.logs.text()).not.toContain('SIGKILL');
    expect(stubborn.logs.text()).toContain('eta did not stop within 0.3s of SIGTERM; sending SIGKILL');
    expect(polite.proc.status).toBe('stopped');
    expect(polite.logs.text()).not.toContain('crashed');
  });

  it('a deliberate restart is not a crash', async () => {
    const { proc, logs } = await fixture('theta', {});
    await proc.start();
    const before = proc.pid;
    await proc.restart();
    expect(proc.pid).not.toBe(before);
    expect(proc.status).toBe('ready');
    expect(proc.restarts).toBe(0);
    expect(logs.text()).not.toContain('crashed');
  });
});
