// Process entry of the users service: configuration, migrations, listen, graceful close.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { createDatabase, runMain, runMigrations } from '@healthmatch/platform';
import { serveWithOutbox } from '@healthmatch/platform/events';
import { buildApp } from './app.ts';
import { loadUsersConfig } from './config.ts';
import { MIGRATIONS_FOLDER, MIGRATIONS_NAME } from './db/migrations.ts';
import { schema } from './db/schema.ts';

runMain(async () => {
  const config = loadUsersConfig();
  await runMigrations(config.DATABASE_URL, MIGRATIONS_FOLDER, MIGRATIONS_NAME);
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'users' });
  const app = await buildApp(config, { database });
  await serveWithOutbox(app, { service: 'users', config, database });
});
