// Shared set-up of the auth service's tests: configuration, a fresh migrated database per
// test file, and a small real HTTP server that plays the users service's internal
// profile endpoint (our own contract), recording what it received.
import { createDatabase, runMigrations, type App, type Database } from '@healthmatch/platform';
import { createTestDatabase, sendJson, sendProblem, startJsonServer, type TestDatabase } from '@healthmatch/platform/testing';
import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll } from 'vitest';
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
  const server = await startJsonServer((req, res) => {
    calls.push({ method: req.method, url: req.url, headers: req.headers, body: req.json() });
    const { status, body } = stub.answer;
    if (status < 300) return sendJson(res, status, body ?? { ok: true });
    const { code = 'X', ...fields } = (body ?? {}) as { code?: string };
    return sendProblem(res, status, code, fields);
  });
  return Object.assign(stub, server);
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

/**
 * Registers beforeAll/afterAll for a test file that needs the whole auth app: a migrated
 * database, a users stub and the app on them. Read the fields inside tests (they are set
 * in beforeAll).
 */
export function authAppFixture(prefix: string, env: Record<string, string> = {}): { db: TestDb; users: UsersStub; app: App } {
  const f = {} as { db: TestDb; users: UsersStub; app: App };
  beforeAll(async () => {
    f.db = await migratedDatabase(prefix);
    f.users = await startUsersStub();
    f.app = await appOn(f.db, { USERS_URL: f.users.url, ...env });
  });
  afterAll(async () => {
    await f.app?.close();
    await f.users?.close();
    await f.db?.close();
  });
  return f;
}
