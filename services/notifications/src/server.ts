// Process entry of the notifications service: config, migrations (under the kit's advisory
// lock), listen; the consumer and the delivery worker run beside HTTP. SIGTERM/SIGINT
// close gracefully: HTTP first, then consuming and delivering, then the pool.
import { listenAndServe, runMain, runMigrations } from '@healthmatch/platform';
import { buildApp } from './app.ts';
import { fileOffsetClock, systemClock } from './clock.ts';
import { loadNotificationsConfig } from './config.ts';
import { createNotificationsDatabase, MIGRATIONS_FOLDER } from './db/database.ts';
import { startNotificationsRuntime } from './delivery/runtime.ts';

runMain(async () => {
  const config = loadNotificationsConfig();
  await runMigrations(config.DATABASE_URL, MIGRATIONS_FOLDER, 'notifications');
  const database = createNotificationsDatabase(config.DATABASE_URL);
  let clock = systemClock;
  const app = await buildApp(config, { database, clock: () => clock() });
  if (config.CLOCK_OFFSET_FILE) {
    const file = config.CLOCK_OFFSET_FILE;
    app.log.warn({ file }, 'CLOCK_OFFSET_FILE is set: what is due follows the offset in that file (tests and demos only)');
    clock = fileOffsetClock(file, (raw) => app.log.warn({ file, raw }, 'CLOCK_OFFSET_FILE does not hold a number of seconds; keeping the last offset'));
  }
  const runtime = await startNotificationsRuntime({ config, database, log: app.log, registry: app.metrics.registry, clock });

  await listenAndServe(app, {
    port: config.PORT,
    host: config.HOST,
    onClose: async () => {
      await runtime.stop();
      await database.close();
    },
  });
});
