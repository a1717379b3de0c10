// startPlatform(): databases (embedded PostgreSQL, a given server, or given URLs), then every
// service as its own supervised process in dependency order, each waited for on /readyz.
// `npm start` (main.ts) and the end-to-end tests both use it.
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { ensureDatabase, freePort } from '@healthmatch/platform/embedded-postgres';
import { levelNumber, openLogFile, type LauncherLog } from './logs.ts';
import { startPostgres, type RunningPostgres } from './postgres.ts';
import { commandLineOf } from './process-util.ts';
import { databaseEnvName, EVENTS_DATABASE, SERVICES, urlEnvName, type ServiceSpec } from './services.ts';
import { reclaimDataDir, StateFile } from './state.ts';
import { DEFAULT_RESTART_POLICY, ManagedProcess, type RestartPolicy, type ServiceProcess } from './supervisor.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

export interface PlatformOptions {
  /** Launcher state, logs (`logs/`) and the embedded cluster (`pg/`); `npm start` uses `<repo>/.data`. */
  dataDir: string;
  repoRoot?: string;
  /** 'auto': free ports for everything (tests). A record: these ports, defaults for the rest. */
  ports?: 'auto' | Partial<Record<string, number>>;
  /** Embedded PostgreSQL port: a number (must be free) or 'auto'; default: remembered, else 54329, else any free. */
  postgresPort?: number | 'auto';
  /** Listen address handed to the services as HOST. */
  host?: string;
  /** Per service database URLs (and `events`: the event transport's); those get no created database. */
  databaseUrls?: Partial<Record<string, string>>;
  /** URL of a server's maintenance database: create the other databases there and start no embedded PostgreSQL. */
  adminUrl?: string;
  /** Created databases are `<prefix><service>`; default `hm_`. */
  databasePrefix?: string;
  /** Drop and recreate the databases the launcher creates (not given URLs) before starting: a clean slate. */
  resetDatabases?: boolean;
  /** Drop the created databases at stop() (tests with a fresh prefix). */
  dropDatabasesOnStop?: boolean;
  /** Names from the service table, or whole specs (tests); default: every service of the table. */
  services?: ReadonlyArray<string | ServiceSpec>;
  /** Environment every child starts from; default process.env. */
  baseEnv?: NodeJS.ProcessEnv;
  /** Added to every child's environment (after the launcher's own variables, before PORT/DATABASE_URL). */
  extraEnv?: Record<string, string>;
  log?: LauncherLog;
  /** Child log lines at this level or above are echoed to `log`; default 'warn'. */
  consoleLevel?: 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
  restartPolicy?: RestartPolicy;
  /** Aborting it during start-up stops what was started and rejects. */
  signal?: AbortSignal;
  /**
   * Called once when the platform cannot go on (a service crashed too often, PostgreSQL
   * died). Default: log it and stop everything. The platform never stays half running.
   */
  onFatal?: (error: Error) => void;
}

export interface SpawnOptions {
  /** Default: a free port. */
  port?: number;
  /** Overrides for this process's environment (applied last). */
  env?: Record<string, string>;
  /** Default: `<service>#<n>`. */
  id?: string;
  /** Restart after a crash; default false (an extra process is a test instrument). */
  restart?: boolean;
}

export interface Platform {
  /** Base URL per service (http://127.0.0.1:port), e.g. urls.gateway. */
  readonly urls: Readonly<Record<string, string>>;
  /** http://localhost:<gateway port>/docs when the gateway runs. */
  readonly docsUrl: string | undefined;
  /** Per service, and `events`: the PostgreSQL event transport's shared database (absent with AMQP_URL). */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** The maintenance-database URL of the server holding the created databases, if any. */
  readonly adminUrl: string | undefined;
  readonly postgres: { port: number; pid: number | undefined; dataDir: string } | undefined;
  /** Where mail goes: the SMTP server of SMTP_URL (host only), or the .eml directory. */
  readonly mail: { kind: 'smtp'; host: string } | { kind: 'files'; dir: string } | undefined;
  /** Current processes by id: `booking`, and extras like `booking#2`. */
  readonly processes: ReadonlyMap<string, ServiceProcess>;
  readonly logDir: string;
  /** Milliseconds start-up took. */
  readonly startupMs: number;
  /** Stops every process (dependents first), drops test databases if asked, stops PostgreSQL. Idempotent. */
  stop(): Promise<void>;
  /** Graceful restart of a service's main process; resolves when it is ready again. */
  restart(service: string): Promise<ServiceProcess>;
  /** Kills a process (default SIGKILL) like a crash would; its supervisor restarts it. Resolves when it has exited. */
  kill(id: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts one more process of a service (same database and environment) and waits until it is ready. */
  spawnService(service: string, opts?: SpawnOptions): Promise<ServiceProcess>;
}

const activeDataDirs = new Set<string>();

/** As the next run will read it from the process table (node options included). */
function ownCommandLine(): string {
  return commandLineOf(process.pid) ?? [process.execPath, ...process.execArgv, ...process.argv.slice(1)].join(' ');
}

function tsxLoaderUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

function defaultLog(): LauncherLog {
  return (level, message) => (level === 'error' ? console.error(message) : console.log(message));
}

/** The services to run: names from the table, planned ones only when built; every missing entry at once. */
export function resolveServices(selection: ReadonlyArray<string | ServiceSpec> | undefined, repoRoot: string, log: LauncherLog): ServiceSpec[] {
  const chosen: ServiceSpec[] = [];
  const missing: string[] = [];
  const unknown: string[] = [];
  const explicit = selection !== undefined;
  for (const item of selection ?? SERVICES) {
    const spec = typeof item === 'string' ? SERVICES.find((s) => s.name === item) : item;
    if (!spec) {
      unknown.push(String(item));
      continue;
    }
    if (!spec.command) {
      if (!spec.entry) throw new Error(`service ${spec.name} has neither entry nor command`);
      if (!existsSync(path.join(repoRoot, spec.entry))) {
        if (spec.planned && !explicit) {
          log('info', `${spec.name}: not built yet (${spec.entry} is missing); skipped`);
          continue;
        }
        missing.push(`  ${spec.name}: ${spec.entry}`);
        continue;
      }
    }
    chosen.push(spec);
  }
  if (unknown.length > 0) throw new Error(`unknown service(s): ${unknown.join(', ')} (known: ${SERVICES.map((s) => s.name).join(', ')})`);
  if (missing.length > 0) throw new Error(`cannot start HealthMatch: these services have no entry file yet:\n${missing.join('\n')}`);
  const names = new Set(chosen.map((s) => s.name));
  if (names.size !== chosen.length) throw new Error('a service is listed twice');
  // A cycle would deadlock the start order.
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (s: ServiceSpec) => {
    if (done.has(s.name)) return;
    if (visiting.has(s.name)) throw new Error(`service dependency cycle through ${s.name}`);
    visiting.add(s.name);
    for (const d of s.dependsOn) {
      const dep = chosen.find((c) => c.name === d);
      if (dep) visit(dep);
    }
    visiting.delete(s.name);
    done.add(s.name);
  };
  chosen.forEach(visit);
  return chosen;
}

async function resolvePorts(specs: ServiceSpec[], ports: PlatformOptions['ports']): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  const taken = new Set<number>();
  const busy: string[] = [];
  for (const s of specs) {
    if (ports === 'auto') {
      let p = await freePort();
      while (taken.has(p)) p = await freePort();
      result[s.name] = p;
    } else {
      const p = ports?.[s.name] ?? s.defaultPort;
      if (taken.has(p)) throw new Error(`port ${p} is given to two services (${s.name} and another)`);
      if ((await freePort(p)) !== p) busy.push(`  ${s.name}: port ${p} (set ${s.name.toUpperCase()}_PORT to use another)`);
      result[s.name] = p;
    }
    taken.add(result[s.name] as number);
  }
  if (busy.length > 0) throw new Error(`cannot start HealthMatch: ports already in use (another HealthMatch still running?):\n${busy.join('\n')}`);
  return result;
}

function withDatabase(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function dropDatabases(adminUrl: string, names: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    for (const n of names) await client.query(`drop database if exists "${n}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Variables only the launcher reads; children do not inherit them (credentials of other services). */
function launcherOnly(key: string): boolean {
  return key.startsWith('LAUNCHER_') || key.startsWith('HM_LAUNCHER_') || SERVICES.some((s) => key === databaseEnvName(s.name));
}

export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  const began = Date.now();
  const repoRoot = path.resolve(opts.repoRoot ?? REPO_ROOT);
  const dataDir = path.resolve(opts.dataDir);
  const logDir = path.join(dataDir, 'logs');
  const log = opts.log ?? defaultLog();
  const host = opts.host ?? '127.0.0.1';
  const probeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const urlHost = probeHost.includes(':') ? `[${probeHost}]` : probeHost;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 15_000;
  const restartPolicy = opts.restartPolicy ?? DEFAULT_RESTART_POLICY;
  const consoleLevel = opts.consoleLevel === 'silent' ? Infinity : levelNumber(opts.consoleLevel ?? 'warn');
  const prefix = opts.databasePrefix ?? 'hm_';

  if (activeDataDirs.has(dataDir)) throw new Error(`a platform is already running on ${dataDir} in this process`);
  const specs = resolveServices(opts.services, repoRoot, log);
  mkdirSync(logDir, { recursive: true });
  const state = new StateFile(path.join(dataDir, 'launcher.json'));
  await reclaimDataDir(state, log);
  activeDataDirs.add(dataDir);
  state.update((s) => {
    s.run = { pid: process.pid, command: ownCommandLine(), startedAt: new Date().toISOString(), children: {} };
  });

  const launcherLog = openLogFile(path.join(logDir, 'launcher.log'));
  const logAll: LauncherLog = (level, message) => {
    launcherLog.write(`${JSON.stringify({ level: levelNumber(level), time: new Date().toISOString(), service: 'launcher', msg: message })}\n`);
    log(level, message);
  };

  let postgres: RunningPostgres | undefined;
  let adminUrl = opts.adminUrl;
  const createdDatabases: string[] = [];
  const databaseUrls: Record<string, string> = {};
  const processes = new Map<string, ManagedProcess>();
  const mains = new Map<string, ManagedProcess>();
  let stopping: Promise<void> | undefined;
  let fatalCalled = false;
  const extraCounters = new Map<string, number>();

  // Children must not outlive a launcher that exits abruptly (uncaught error, process.exit).
  const killOnExit = () => {
    for (const p of processes.values()) {
      if (p.pid === undefined) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  process.on('exit', killOnExit);

  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      // Extras first, then every service once all services that depend on it are down.
      await Promise.all([...processes.values()].filter((p) => !mains.has(p.id) || mains.get(p.id) !== p).map((p) => p.stop()));
      const stopped = new Map<string, Promise<void>>();
      const stopOne = (name: string): Promise<void> => {
        const existing = stopped.get(name);
        if (existing) return existing;
        const dependents = specs.filter((s) => s.dependsOn.includes(name)).map((s) => s.name);
        const p = Promise.all(dependents.map(stopOne)).then(() => mains.get(name)?.stop());
        stopped.set(name, p);
        return p;
      };
      await Promise.all(specs.map((s) => stopOne(s.name)));
      await Promise.all([...processes.values()].map((p) => p.close()));
      if (opts.dropDatabasesOnStop && adminUrl && createdDatabases.length > 0) {
        try {
          await dropDatabases(adminUrl, createdDatabases);
        } catch (err) {
          logAll('warn', `could not drop databases ${createdDatabases.join(', ')}: ${(err as Error).message}`);
        }
      }
      await postgres?.stop();
      process.removeListener('exit', killOnExit);
      try {
        state.update((s) => delete s.run);
      } finally {
        activeDataDirs.delete(dataDir);
        await new Promise<void>((resolve) => launcherLog.end(() => resolve()));
      }
    })();
    return stopping;
  };

  let started = false;
  let startupFatal: Error | undefined;
  const stopProcesses = () => {
    for (const p of processes.values()) void p.stop();
  };
  const fatal = (error: Error) => {
    if (fatalCalled || stopping) return;
    if (!started) {
      // During start-up a fatal error fails startPlatform itself.
      startupFatal ??= error;
      stopProcesses();
      return;
    }
    fatalCalled = true;
    if (opts.onFatal) {
      opts.onFatal(error);
    } else {
      logAll('error', `✖ ${error.message}; stopping HealthMatch`);
      void stopAll();
    }
  };

  const baseEnv = opts.baseEnv ?? process.env;
  const common: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(baseEnv)) if (v !== undefined && !launcherOnly(k)) common[k] = v;
  common.HOST = host;
  common.LOG_LEVEL = baseEnv.LOG_LEVEL ?? 'info';
  common.HEALTHMATCH_DATA_DIR = baseEnv.HEALTHMATCH_DATA_DIR ?? path.resolve(repoRoot, '..', 'shared', 'data');

  const ports: Record<string, number> = {};
  const urls: Record<string, string> = {};
  const tsx = tsxLoaderUrl();

  const makeProcess = (spec: ServiceSpec, id: string, port: number, env: Record<string, string> | undefined, restart: boolean): ManagedProcess => {
    const childEnv: NodeJS.ProcessEnv = { ...common, ...spec.env, ...opts.extraEnv, PORT: String(port) };
    for (const [name, sub] of Object.entries(spec.dataDirEnv ?? {})) if (!childEnv[name]) childEnv[name] = path.join(dataDir, sub);
    const dbUrl = databaseUrls[spec.name];
    if (dbUrl) childEnv.DATABASE_URL = dbUrl;
    else delete childEnv.DATABASE_URL;
    Object.assign(childEnv, env);
    const argv = spec.command ? [...spec.command] : [process.execPath, '--import', tsx, spec.entry as string];
    const proc = new ManagedProcess(
      {
        id,
        service: spec.name,
        argv,
        cwd: repoRoot,
        env: childEnv,
        port,
        url: `http://${urlHost}:${port}`,
        probeUrl: `http://${urlHost}:${port}${spec.readinessPath ?? '/readyz'}`,
        logFile: path.join(logDir, `${id.replace(/[^a-zA-Z0-9_.-]/g, '-')}.log`),
        readyTimeoutMs,
        stopTimeoutMs,
        restart: restart ? restartPolicy : false,
        consoleLevel,
      },
      {
        log: logAll,
        onGiveUp: (_p, error) => fatal(error),
        onSpawn: (p, pid) =>
          state.update((s) => {
            if (s.run) s.run.children[p.id] = { pid, command: p.config.argv.join(' ') };
          }),
        onExit: (p, pid) =>
          state.update((s) => {
            if (s.run?.children[p.id]?.pid === pid) delete s.run.children[p.id];
          }),
      },
    );
    processes.set(id, proc);
    return proc;
  };

  const aborted = () => opts.signal?.aborted === true || startupFatal !== undefined;
  // Stops the processes (ending their readiness waits); the catch below tears down the rest.
  const onAbort = () => stopProcesses();
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    Object.assign(ports, await resolvePorts(specs, opts.ports));
    for (const s of specs) urls[s.name] = `http://${urlHost}:${ports[s.name]}`;
    for (const s of specs) common[urlEnvName(s.name)] = urls[s.name];

    // Databases: given URLs first, the rest created on the given server or the embedded one.
    for (const s of specs) {
      const given = opts.databaseUrls?.[s.name];
      if (s.database && given) databaseUrls[s.name] = given;
    }
    const toCreate = specs.filter((s) => s.database && !databaseUrls[s.name]).map((s) => s.name);
    // Events (docs/adr/0010): RabbitMQ when the user set AMQP_URL, else the PostgreSQL
    // transport on one database all services share (given, or `<prefix>events` created
    // here). Only services with a database produce or consume events.
    const useEventsDatabase = !baseEnv.AMQP_URL && specs.some((s) => s.database);
    if (useEventsDatabase) {
      const given = opts.databaseUrls?.[EVENTS_DATABASE] ?? baseEnv.EVENTS_DATABASE_URL;
      if (given) databaseUrls[EVENTS_DATABASE] = given;
      else toCreate.push(EVENTS_DATABASE);
    }
    if (toCreate.length > 0) {
      if (!adminUrl) {
        postgres = await startPostgres({
          dataDir: path.join(dataDir, 'pg'),
          port: opts.postgresPort ?? (opts.ports === 'auto' ? 'auto' : undefined),
          state,
          logFile: path.join(logDir, 'postgres.log'),
          log: logAll,
        });
        adminUrl = postgres.adminUrl;
        postgres.watch((message) => fatal(new Error(message)));
      }
      if (aborted()) throw new Error('start-up aborted');
      if (opts.resetDatabases) {
        logAll('warn', `reset: dropping ${toCreate.map((s) => `${prefix}${s}`).join(', ')}`);
        await dropDatabases(adminUrl, toCreate.map((s) => `${prefix}${s}`));
      }
      for (const s of toCreate) {
        const name = `${prefix}${s}`;
        try {
          await ensureDatabase(adminUrl, name);
        } catch (err) {
          throw new Error(`could not create database ${name} on ${new URL(adminUrl).host}: ${(err as Error).message}`);
        }
        createdDatabases.push(name);
        databaseUrls[s] = withDatabase(adminUrl, name);
      }
      logAll('info', `databases ready: ${toCreate.map((s) => `${prefix}${s}`).join(', ')}`);
    }
    if (useEventsDatabase) common.EVENTS_DATABASE_URL = databaseUrls[EVENTS_DATABASE];
    else if (baseEnv.AMQP_URL) delete common.EVENTS_DATABASE_URL; // RabbitMQ decides; no second transport
    if (aborted()) throw new Error('start-up aborted');

    // Each service starts as soon as the services it depends on are ready.
    const ready = new Map<string, Promise<void>>();
    const startOne = (spec: ServiceSpec): Promise<void> => {
      const existing = ready.get(spec.name);
      if (existing) return existing;
      const deps = specs.filter((s) => spec.dependsOn.includes(s.name));
      const p = Promise.all(deps.map(startOne)).then(async () => {
        if (stopping || aborted()) throw new Error('start-up aborted');
        const proc = makeProcess(spec, spec.name, ports[spec.name] as number, undefined, true);
        mains.set(spec.name, proc);
        logAll('info', `${spec.name}: starting on port ${proc.port}`);
        await proc.start();
        logAll('info', `${spec.name}: ready in ${((proc.readyMs ?? 0) / 1000).toFixed(1)}s (pid ${proc.pid})`);
      });
      ready.set(spec.name, p);
      return p;
    };
    const all = specs.map(startOne);
    try {
      await Promise.all(all);
    } catch (err) {
      // Stop the rest now rather than waiting for their readiness timeouts.
      const settled = Promise.allSettled(all);
      stopProcesses();
      await settled;
      throw err;
    }
    if (aborted()) throw new Error('start-up aborted');
  } catch (err) {
    opts.signal?.removeEventListener('abort', onAbort);
    await stopAll();
    throw startupFatal ?? err;
  }
  opts.signal?.removeEventListener('abort', onAbort);
  started = true;

  const gatewayPort = ports.gateway;
  const platform: Platform = {
    urls,
    docsUrl: gatewayPort !== undefined ? `http://localhost:${gatewayPort}/docs` : undefined,
    databaseUrls,
    adminUrl,
    postgres: postgres ? { port: postgres.port, pid: postgres.pid, dataDir: postgres.dataDir } : undefined,
    mail: !specs.some((s) => s.name === 'notifications')
      ? undefined
      : common.SMTP_URL
        ? { kind: 'smtp', host: smtpHost(common.SMTP_URL) }
        : { kind: 'files', dir: opts.extraEnv?.MAIL_DIR ?? common.MAIL_DIR ?? path.join(dataDir, 'mail') },
    processes,
    logDir,
    startupMs: Date.now() - began,
    stop: stopAll,
    async restart(service) {
      const proc = mains.get(service);
      if (!proc) throw new Error(`no running service ${service}`);
      await proc.restart();
      return proc;
    },
    async kill(id, signal) {
      const proc = processes.get(id);
      if (!proc) throw new Error(`no process ${id}`);
      await proc.kill(signal);
    },
    async spawnService(service, so = {}) {
      if (stopping) throw new Error('the platform is stopping');
      const spec = specs.find((s) => s.name === service);
      if (!spec) throw new Error(`service ${service} is not part of this platform`);
      const n = (extraCounters.get(service) ?? 1) + 1;
      extraCounters.set(service, n);
      const id = so.id ?? `${service}#${n}`;
      if (processes.has(id)) throw new Error(`process ${id} exists already`);
      const proc = makeProcess(spec, id, so.port ?? (await freePort()), so.env, so.restart ?? false);
      try {
        await proc.start();
      } catch (err) {
        await proc.close();
        processes.delete(id);
        throw err;
      }
      logAll('info', `${id}: ready in ${((proc.readyMs ?? 0) / 1000).toFixed(1)}s (pid ${proc.pid}, port ${proc.port})`);
      return proc;
    },
  };
  return platform;
}

/** host:port of an SMTP URL, never its credentials. */
function smtpHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(unparsable SMTP_URL)';
  }
}
