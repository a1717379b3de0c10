// Process entry of the catalog service: config, migrations, catalogue import (when
// needed), listen, graceful close.
import { listenAndServe, runMain } from '@healthmatch/platform';
import { buildApp, importAtStartup } from './app.ts';
import { loadCatalogConfig } from './config.ts';
import { createCatalogDatabase, migrateCatalogDatabase } from './db/database.ts';

runMain(async () => {
  const config = loadCatalogConfig();
  await migrateCatalogDatabase(config.DATABASE_URL);
  const database = createCatalogDatabase(config.DATABASE_URL);
  const app = await buildApp(config, { database });
  // Before listening, so /readyz answers only once the catalogue is in place. Replicas that
  // start together import once (advisory lock); the others find it done.
  await importAtStartup(app);
  await listenAndServe(app, { port: config.PORT, host: config.HOST, onClose: () => database.close() });
});
