// Vitest global setup: a PostgreSQL server for the integration tests.
// TEST_DATABASE_URL (a URL of a server's maintenance database, e.g.
// postgres://postgres@127.0.0.1:5432/postgres) uses that server; otherwise an embedded
// PostgreSQL is started under .data/ for this run and removed afterwards.
import path from 'node:path';
import { freePort, startEmbeddedPostgres, type EmbeddedPostgresHandle } from '@healthmatch/platform/embedded-postgres';

let handle: EmbeddedPostgresHandle | undefined;

export async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    process.env.HM_TEST_PG_ADMIN_URL = process.env.TEST_DATABASE_URL;
    return;
  }
  const port = await freePort();
  const dataDir = path.resolve('.data', 'test-pg', `${process.pid}-${port}`);
  handle = await startEmbeddedPostgres({ dataDir, port, persistent: false });
  process.env.HM_TEST_PG_ADMIN_URL = handle.adminUrl;
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}
