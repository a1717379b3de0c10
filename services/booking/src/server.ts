// Process entry of the booking service: config, migrations (under the kit's advisory lock,
// so replicas starting together do not race), listen; SIGTERM/SIGINT close gracefully.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { fileURLToPath } from 'node:url';
import { runMain, runMigrations } from '@healthmatch/platform';
import { serveWithOutbox } from '@healthmatch/platform/events';
import { buildApp } from './app.ts';
import { loadBookingConfig } from './config.ts';
import { createBookingDatabase } from './db/database.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

runMain(async () => {
  const config = loadBookingConfig();
  await runMigrations(config.DATABASE_URL, migrationsFolder, 'booking');
  const database = createBookingDatabase(config.DATABASE_URL);
  const app = await buildApp(config, { database });

  await serveWithOutbox(app, { service: 'booking', config, database });
});
