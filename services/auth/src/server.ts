// Process entry of the auth service: config, migrations, signing keys, listen.
// The outbox relay runs here, not in buildApp, so route tests need no transport.
import { createDatabase, runMain, runMigrations } from '@healthmatch/platform';
import { serveWithOutbox } from '@healthmatch/platform/events';
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

  await serveWithOutbox(app, { service: 'auth', config, database });
});
