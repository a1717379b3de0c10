// Process entry of the users service: configuration, migrations, listen, graceful close.
import { listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { buildApp } from './app.ts';
import { loadUsersConfig } from './config.ts';
import { MIGRATIONS_FOLDER, MIGRATIONS_NAME } from './db/migrations.ts';

runMain(async () => {
  const config = loadUsersConfig();
  await runMigrations(config.DATABASE_URL, MIGRATIONS_FOLDER, MIGRATIONS_NAME);
  const app = await buildApp(config);
  await listenAndServe(app, { port: config.PORT, host: config.HOST });
});
