// Tests only: a users app on a fresh database of the test PostgreSQL server, with tokens
// from a local issuer whose JWKS is served over HTTP.
import type { App } from '@healthmatch/platform';
import { createDatabase, generateFieldKey, runMigrations } from '@healthmatch/platform';
import { createTestDatabase, type TestDatabase } from '@healthmatch/platform/testing';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { buildApp, type UsersDatabase } from '../app.ts';
import { loadUsersConfig, type UsersConfig } from '../config.ts';
import { MIGRATIONS_FOLDER, MIGRATIONS_NAME } from '../db/migrations.ts';
import { schema } from '../db/schema.ts';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.ts';

export interface Harness {
  tdb: TestDatabase;
  issuer: TokenIssuer;
  /** Admin-level raw access to the service's database, to look at rows as stored. */
  raw: pg.Pool;
  /** Builds an app on the harness database; FIELD_ENCRYPTION_KEYS as given (undefined: unset). */
  app(env?: Record<string, string | undefined>): Promise<App>;
  config(env?: Record<string, string | undefined>): UsersConfig;
  /** A fresh account: id and a signed access token for it. */
  account(role: 'patient' | 'provider' | 'admin'): Promise<{ id: string; token: string; auth: { authorization: string } }>;
  close(): Promise<void>;
}

export const TEST_FIELD_KEYS = `t1:${generateFieldKey()}`;

export async function startHarness(prefix = 'users'): Promise<Harness> {
  const tdb = await createTestDatabase(prefix);
  await runMigrations(tdb.url, MIGRATIONS_FOLDER, MIGRATIONS_NAME);
  const issuer = await startTokenIssuer();
  const raw = new pg.Pool({ connectionString: tdb.url, max: 2 });
  const databases: UsersDatabase[] = [];
  const apps: App[] = [];

  const config = (env: Record<string, string | undefined> = { FIELD_ENCRYPTION_KEYS: TEST_FIELD_KEYS }) =>
    loadUsersConfig({ DATABASE_URL: tdb.url, AUTH_URL: issuer.authUrl, LOG_LEVEL: 'silent', ...env });

  return {
    tdb,
    issuer,
    raw,
    config,
    async app(env) {
      const database = createDatabase(tdb.url, schema, { max: 4 });
      databases.push(database);
      const app = await buildApp(config(env), { database, logger: false });
      apps.push(app);
      return app;
    },
    async account(role) {
      const id = uuidv7();
      const token = await issuer.sign(id, role);
      return { id, token, auth: { authorization: `Bearer ${token}` } };
    },
    async close() {
      for (const a of apps) await a.close();
      for (const d of databases) await d.close();
      await raw.end();
      await issuer.close();
      await tdb.drop();
    },
  };
}
