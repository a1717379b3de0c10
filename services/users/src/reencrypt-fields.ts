// Finishes a key rotation: re-seals every stored field under the current key of
// FIELD_ENCRYPTION_KEYS, in small batches, so the older key ids can then be removed.
//   FIELD_ENCRYPTION_KEYS=k2:...,k1:... DATABASE_URL=... npm run reencrypt-fields -w @healthmatch/users
// Safe to run while the service serves (row locks, SKIP LOCKED) and to run again.
import { createDatabase, createFieldCipher, runMain, runMigrations } from '@healthmatch/platform';
import { loadUsersFieldKeys } from './app.ts';
import { loadUsersConfig } from './config.ts';
import { MIGRATIONS_FOLDER, MIGRATIONS_NAME } from './db/migrations.ts';
import { createProfileRepository } from './db/profile-repository.ts';
import { schema } from './db/schema.ts';

const log = {
  warn: (obj: object, msg: string) => console.warn(msg, JSON.stringify(obj)),
};

runMain(async () => {
  const config = loadUsersConfig();
  await runMigrations(config.DATABASE_URL, MIGRATIONS_FOLDER, MIGRATIONS_NAME);
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'users-reencrypt', max: 2 });
  try {
    // Also refuses to run when a stored key id is missing from the ring (those rows could not be opened).
    const ring = await loadUsersFieldKeys(config, database, log);
    const profiles = createProfileRepository(database.db, createFieldCipher(ring));
    let total = 0;
    for (let n = await profiles.reencryptBatch(); n > 0; n = await profiles.reencryptBatch()) total += n;
    const left = (await profiles.keyIdsInUse()).filter((id) => id !== ring.currentKeyId);
    console.log(`re-encrypted ${total} profile(s) under key "${ring.currentKeyId}"${left.length ? `; still in use (rows locked by a writer, run again): ${left.join(', ')}` : '; no other key id is in use'}`);
  } finally {
    await database.close();
  }
});
