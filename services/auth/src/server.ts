// Process entry of the auth service: config, migrations, signing keys, listen.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { createDatabase, listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { createEventMetrics, createEventTransport, startOutboxRelay, type EventTransport, type OutboxRelay } from '@healthmatch/platform/events';
import { fileURLToPath } from 'node:url';
import { buildApp } from './app.ts';
import { loadAuthConfig } from './config.ts';
import * as schema from './db/schema.ts';

runMain(async () => {
  const config = loadAuthConfig();
  await runMigrations(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)), 'auth');
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'auth' });
  const app = await buildApp(config, { database });
  // Before listening: creates the first key (once, across replicas) and fails fast on a key
  // that cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEYS.
  await app.keyRing.load();

  let transport: EventTransport | undefined;
  let relay: OutboxRelay | undefined;
  if (config.AMQP_URL || config.EVENTS_DATABASE_URL) {
    transport = await createEventTransport({
      amqpUrl: config.AMQP_URL,
      eventsDatabaseUrl: config.EVENTS_DATABASE_URL,
      service: 'auth',
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
