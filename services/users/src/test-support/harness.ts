// Tests only: a users app on a fresh database of the test PostgreSQL server, with tokens
// from the kit's test issuer whose JWKS is served over HTTP (remoteJwks, as in production).
import type { App } from '@healthmatch/platform';
import { createDatabase, generateFieldKey, runMigrations } from '@healthmatch/platform';
import { bearer, createTestDatabase, createTestTokenIssuer, type TestDatabase, type TestTokenIssuer } from '@healthmatch/platform/testing';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { buildApp, type UsersDatabase } from '../app.ts';
import { loadUsersConfig, type UsersConfig } from '../config.ts';
import { MIGRATIONS_FOLDER, MIGRATIONS_NAME } from '../db/migrations.ts';
import { schema } from '../db/schema.ts';

export interface Harness {
  tdb: TestDatabase;
  /** Signs the access tokens; its JWKS is served over HTTP at the app's AUTH_URL. */
  issuer: TestTokenIssuer;
  /** Another key under the same kid, which the JWKS does not publish. */
  foreignIssuer: TestTokenIssuer;
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
  const issuer = await createTestTokenIssuer();
  const foreignIssuer = await createTestTokenIssuer({ kid: issuer.kid });
  const auth = await issuer.serve();
  const raw = new pg.Pool({ connectionString: tdb.url, max: 2 });
  const databases: UsersDatabase[] = [];
  const apps: App[] = [];

  const config = (env: Record<string, string | undefined> = { FIELD_ENCRYPTION_KEYS: TEST_FIELD_KEYS }) =>
    loadUsersConfig({ DATABASE_URL: tdb.url, AUTH_URL: auth.url, LOG_LEVEL: 'silent', ...env });

  return {
    tdb,
    issuer,
    foreignIssuer,
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
      const token = await issuer.sign({ sub: id, role });
      return { id, token, auth: bearer(token) };
    },
    async close() {
      for (const a of apps) await a.close();
      for (const d of databases) await d.close();
      await raw.end();
      await auth.close();
      await tdb.drop();
    },
  };
}
