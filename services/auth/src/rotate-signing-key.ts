// Rotates the access-token signing key: a new key signs from now on; the previous one
// stays in the JWKS until the last token it signed has expired. Running replicas pick the
// new key up within 30 seconds (or at once when they meet its kid).
//   DATABASE_URL=... npm run rotate-signing-key -w @healthmatch/auth
import { createDatabase, runMain, runMigrations } from '@healthmatch/platform';
import { fileURLToPath } from 'node:url';
import { createKeyRing } from './app.ts';
import { loadAuthConfig } from './config.ts';
import * as schema from './db/schema.ts';

runMain(async () => {
  const config = loadAuthConfig();
  await runMigrations(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)), 'auth');
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'auth-rotate-key', max: 1 });
  try {
    const keys = createKeyRing(config, database);
    const before = (await keys.signingKey()).kid;
    const after = await keys.rotate();
    console.log(`signing key rotated: ${before} -> ${after}`);
  } finally {
    await database.close();
  }
});
