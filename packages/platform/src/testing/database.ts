// A fresh database per test file, on the PostgreSQL server that the vitest global setup
// provides (embedded, or TEST_DATABASE_URL).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase } from '../postgres-admin.ts';

export function testAdminUrl(): string {
  const url = process.env.HM_TEST_PG_ADMIN_URL;
  if (!url) throw new Error('HM_TEST_PG_ADMIN_URL is not set: run the tests through vitest (tests/setup/global-postgres.ts)');
  return url;
}

export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const admin = testAdminUrl();
  const name = `t_${prefix.replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
  await ensureDatabase(admin, name);
  return {
    url: databaseUrl(admin, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        // pool.end() resolves before its sockets are closed: a forced drop right away would
        // kill those connections, and their clients would throw 57P01 into the test run.
        // Wait for them to go (a few seconds at most), then force whatever is left.
        for (let i = 0; i < 50; i++) {
          try {
            await c.query(`drop database if exists "${name}"`);
            return;
          } catch (err) {
            if ((err as { code?: string }).code !== '55006') throw err; // object_in_use
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
