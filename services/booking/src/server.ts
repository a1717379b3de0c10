// Process entry of the booking service: config, migrations (under the kit's advisory lock,
// so replicas starting together do not race), listen; SIGTERM/SIGINT close gracefully.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { fileURLToPath } from 'node:url';
import { listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { startOutboxPublishing } from '@healthmatch/platform/events';
import { buildApp } from './app.ts';
import { loadBookingConfig } from './config.ts';
import { createBookingDatabase } from './db/database.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

runMain(async () => {
  const config = loadBookingConfig();
  await runMigrations(config.DATABASE_URL, migrationsFolder, 'booking');
  const database = createBookingDatabase(config.DATABASE_URL);
  const app = await buildApp(config, { database });

  const events = await startOutboxPublishing({
    amqpUrl: config.AMQP_URL,
    eventsDatabaseUrl: config.EVENTS_DATABASE_URL,
    service: 'booking',
    pool: database.pool,
    log: app.log,
    registry: app.metrics.registry,
  });

  await listenAndServe(app, {
    port: config.PORT,
    host: config.HOST,
    // After the app stopped taking requests; the relay and transport before the pool.
    onClose: async () => {
      await events.stop();
      await database.close();
    },
  });
});
