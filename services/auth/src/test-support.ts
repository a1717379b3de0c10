// Shared set-up of the auth service's tests: configuration, a fresh migrated database per
// test file, and a small real HTTP server that plays the users service's internal
// profile endpoint (our own contract), recording what it received.
import { createDatabase, runMigrations, type App, type Database } from '@healthmatch/platform';
import { createTestDatabase, type TestDatabase } from '@healthmatch/platform/testing';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildApp, type AuthDeps } from './app.ts';
import { loadAuthConfig, type AuthConfig } from './config.ts';
import * as schema from './db/schema.ts';

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

export function testConfig(env: Record<string, string> = {}): AuthConfig {
  return loadAuthConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', LOG_LEVEL: 'silent', ...env });
}

export interface UsersCall {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface UsersStub {
  url: string;
  calls: UsersCall[];
  /** What the next calls get: a status and body. */
  answer: { status: number; body?: unknown };
  close(): Promise<void>;
}

export async function startUsersStub(): Promise<UsersStub> {
  const calls: UsersCall[] = [];
  const stub = { calls, answer: { status: 201 } as UsersStub['answer'] };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const { status, body } = stub.answer;
      const payload = body ?? (status < 300 ? { ok: true } : { type: '/problems/x', title: 'x', status, code: 'X' });
      res.writeHead(status, { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

export interface TestDb {
  tdb: TestDatabase;
  database: Database<typeof schema>;
  close(): Promise<void>;
}

/** A fresh database with the auth migrations applied. */
export async function migratedDatabase(prefix = 'auth'): Promise<TestDb> {
  const tdb = await createTestDatabase(prefix);
  await runMigrations(tdb.url, MIGRATIONS, 'auth');
  const database = createDatabase(tdb.url, schema, { max: 5 });
  return {
    tdb,
    database,
    async close() {
      await database.close();
      await tdb.drop();
    },
  };
}

/** An app on an existing test database; closing it leaves the database alone. */
export async function appOn(db: TestDb, env: Record<string, string>, deps: Partial<AuthDeps> = {}): Promise<App> {
  const config = testConfig({ DATABASE_URL: db.tdb.url, ...env });
  return buildApp(config, { database: db.database, logger: false, ...deps });
}
