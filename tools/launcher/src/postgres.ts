// The embedded PostgreSQL of the launcher: a port that stays the same between runs,
// recovery from a previous run that was killed, a log file, a watch for an unexpected
// death, and a stop that cannot hang when the server is already gone.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
// Imported by path, not via '@healthmatch/platform': the package index pulls in fastify,
// drizzle and jose (about 1 s and 60 MB more for a launcher that needs none of them).
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@healthmatch/platform/embedded-postgres';
import { closeStream, LineSplitter, openLogFile, renderTail, Tail, type LauncherLog } from './logs.ts';
import { commandLineOf, isAlive, terminatePid, waitForPidExit } from './process-util.ts';
import type { StateFile } from './state.ts';

/** Away from 5432 so a system PostgreSQL never clashes. */
export const PREFERRED_PG_PORT = 54329;
const START_TIMEOUT_MS = 120_000;

export interface PostgresOptions {
  /** The cluster's data directory (e.g. `.data/pg`). */
  dataDir: string;
  /** A number must be free; 'auto' takes any free port; undefined: the remembered port, else 54329, else any. */
  port?: number | 'auto';
  state: StateFile;
  logFile: string;
  log: LauncherLog;
}

export interface RunningPostgres {
  adminUrl: string;
  port: number;
  pid: number | undefined;
  dataDir: string;
  urlFor(database: string): string;
  /** Calls back once if the server dies while it should be running. */
  watch(onDeath: (message: string) => void): void;
  stop(): Promise<void>;
}

export function readPostmasterPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** A previous run killed with -9 may leave its postmaster running, or a postmaster.pid naming a reused pid. */
async function recoverPreviousServer(dataDir: string, log: LauncherLog): Promise<void> {
  const pid = readPostmasterPid(dataDir);
  if (pid === undefined) return;
  if (!isAlive(pid)) {
    log('info', `postgres: postmaster.pid of an unclean stop found (pid ${pid} is gone); PostgreSQL recovers on start`);
    return;
  }
  const cmd = commandLineOf(pid) ?? '';
  if (cmd.includes('postgres') && cmd.includes(dataDir)) {
    log('warn', `postgres: the server of a previous run is still running (pid ${pid}); shutting it down first`);
    if (!(await terminatePid(pid, 'SIGINT', 30_000))) {
      throw new Error(`PostgreSQL pid ${pid} (a previous run on ${dataDir}) does not stop; stop it by hand and retry`);
    }
    return;
  }
  log('warn', `postgres: postmaster.pid names pid ${pid}, now another program (${cmd.slice(0, 60) || 'unknown'}); removing the stale lock file`);
  rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
}

async function choosePort(opt: number | 'auto' | undefined, state: StateFile, log: LauncherLog): Promise<number> {
  if (typeof opt === 'number') {
    if ((await freePort(opt)) !== opt) throw new Error(`port ${opt} chosen for PostgreSQL is in use`);
    return opt;
  }
  if (opt === 'auto') return freePort();
  const remembered = state.read().postgres?.port;
  const port = await freePort(remembered ?? PREFERRED_PG_PORT);
  if (remembered !== undefined && port !== remembered) {
    log('warn', `postgres: port ${remembered} (remembered in ${path.basename(state.file)}) is in use; using ${port} from now on`);
  }
  return port;
}

export async function startPostgres(opts: PostgresOptions): Promise<RunningPostgres> {
  const dataDir = path.resolve(opts.dataDir);
  const { log } = opts;
  await recoverPreviousServer(dataDir, log);
  const port = await choosePort(opts.port, opts.state, log);
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  const logStream = openLogFile(opts.logFile);
  const tail = new Tail(40);
  const splitter = new LineSplitter((line) => {
    logStream.write(`${line}\n`);
    tail.push(line);
    if (/\b(FATAL|PANIC):/.test(line) && !/the database system is (starting up|shutting down)/.test(line)) log('error', `postgres | ${line}`);
  });
  log('info', `postgres: ${fresh ? 'initialising a new cluster' : 'starting'} in ${dataDir} on 127.0.0.1:${port}`);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let handle: EmbeddedPostgresHandle;
  try {
    handle = await Promise.race([
      startEmbeddedPostgres({ dataDir, port, persistent: true, onLog: (chunk) => splitter.push(chunk) }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`not ready within ${START_TIMEOUT_MS / 1000}s`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    const pid = readPostmasterPid(dataDir);
    if (pid !== undefined && isAlive(pid) && (commandLineOf(pid) ?? '').includes(dataDir)) await terminatePid(pid, 'SIGINT', 10_000);
    splitter.end();
    await closeStream(logStream);
    const reason = err instanceof Error ? `: ${err.message}` : '';
    throw new Error(`PostgreSQL did not start (data ${dataDir}, port ${port})${reason}\n${renderTail(tail.last(15), opts.logFile)}`);
  } finally {
    clearTimeout(timer);
  }
  opts.state.update((s) => {
    s.postgres = { port };
  });
  const pid = readPostmasterPid(dataDir);
  log('info', `postgres: ready in ${((Date.now() - started) / 1000).toFixed(1)}s (pid ${pid ?? '?'})`);

  let stopping: Promise<void> | undefined;
  let watcher: NodeJS.Timeout | undefined;
  const pg = handle;
  return {
    adminUrl: pg.adminUrl,
    port,
    pid,
    dataDir,
    urlFor: pg.urlFor,
    watch(onDeath) {
      if (pid === undefined) return;
      watcher = setInterval(() => {
        if (stopping || isAlive(pid)) return;
        clearInterval(watcher);
        onDeath(`PostgreSQL (pid ${pid}) exited unexpectedly\n${renderTail(tail.last(15), opts.logFile)}`);
      }, 1_000);
      watcher.unref();
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(watcher);
        const current = readPostmasterPid(dataDir) ?? pid;
        if (current !== undefined && isAlive(current)) {
          // pg.stop() waits for an exit event that never comes if the server is already
          // gone (e.g. it got the terminal's SIGINT), so race it against the pid vanishing.
          const stopped = pg.stop().then(() => true);
          const gone = waitForPidExit(current, 30_000);
          if (!(await Promise.race([stopped, gone]))) {
            log('warn', `postgres: no clean stop within 30s; sending SIGQUIT`);
            await terminatePid(current, 'SIGQUIT', 10_000);
          }
        }
        log('info', 'postgres: stopped');
        splitter.end();
        await closeStream(logStream);
      })();
      return stopping;
    },
  };
}
