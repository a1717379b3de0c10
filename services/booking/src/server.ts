// Process entry of the booking service: config, migrations (under the kit's advisory lock,
// so replicas starting together do not race), listen; SIGTERM/SIGINT close gracefully.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { fileURLToPath } from 'node:url';
import { listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { createEventMetrics, createEventTransport, startOutboxRelay, type EventTransport, type OutboxRelay } from '@healthmatch/platform/events';
import { buildApp } from './app.ts';
import { loadBookingConfig } from './config.ts';
import { createBookingDatabase } from './db/database.ts';

const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url));

runMain(async () => {
  const config = loadBookingConfig();
  await runMigrations(config.DATABASE_URL, migrationsFolder, 'booking');
  const database = createBookingDatabase(config.DATABASE_URL);
  const app = await buildApp(config, { database });

  let transport: EventTransport | undefined;
  let relay: OutboxRelay | undefined;
  if (config.AMQP_URL || config.EVENTS_DATABASE_URL) {
    transport = await createEventTransport({
      amqpUrl: config.AMQP_URL,
      eventsDatabaseUrl: config.EVENTS_DATABASE_URL,
      service: 'booking',
      log: app.log,
      registry: app.metrics.registry,
    });
    relay = await startOutboxRelay({ pool: database.pool, transport, log: app.log, metrics: createEventMetrics(app.metrics.registry) });
  } else {
    app.log.warn('neither AMQP_URL nor EVENTS_DATABASE_URL is set: events stay in the outbox until a transport is configured (nothing is lost)');
  }

  await listenAndServe(app, {
    port: config.PORT,
    host: config.HOST,
    // After the app stopped taking requests; the relay and transport before the pool.
    onClose: async () => {
      await relay?.stop();
      await transport?.close();
      await database.close();
    },
  });
});
