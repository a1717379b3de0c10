// Process entry of the booking service: config, migrations (under the kit's advisory lock,
// so replicas starting together do not race), listen; SIGTERM/SIGINT close gracefully.
import { fileURLToPath } from 'node:url';
import { listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { buildApp } from './app.ts';
import { loadBookingConfig } from './config.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

runMain(async () => {
  const config = loadBookingConfig();
  await runMigrations(config.DATABASE_URL, migrationsFolder, 'booking');
  const app = await buildApp(config);
  await listenAndServe(app, { port: config.PORT, host: config.HOST });
});
