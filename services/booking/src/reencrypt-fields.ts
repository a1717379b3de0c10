// Finishes a key rotation: re-seals every stored cancellation reason under the current key
// of FIELD_ENCRYPTION_KEYS, in small batches, so the older key ids can then be removed
// (docs/adr/0006-field-encryption.md). Also seals any reason still in clear from before
// migration 0002.
//   FIELD_ENCRYPTION_KEYS=k2:...,k1:... DATABASE_URL=... npm run reencrypt-fields -w @healthmatch/booking
// Safe to run while the service serves (row locks, SKIP LOCKED) and to run again.
import { fileURLToPath } from 'node:url';
import { createFieldCipher, runMain, runMigrations } from '@healthmatch/platform';
import { loadBookingFieldKeys } from './app.ts';
import { loadBookingConfig } from './config.ts';
import { appointmentRepository, cancelReasonKeyIdsInUse } from './db/appointment-repository.ts';
import { createBookingDatabase } from './db/database.ts';

const log = {
  warn: (obj: object, msg: string) => console.warn(msg, JSON.stringify(obj)),
};

runMain(async () => {
  const config = loadBookingConfig();
  await runMigrations(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)), 'booking');
  const database = createBookingDatabase(config.DATABASE_URL, { max: 2 });
  try {
    // Refuses to run when a stored key id is missing from the ring (those rows could not be opened).
    const ring = await loadBookingFieldKeys(config, database, log);
    const appointments = appointmentRepository(database, createFieldCipher(ring));
    let total = 0;
    for (let n = await appointments.sealPlaintextReasons(); n > 0; n = await appointments.sealPlaintextReasons()) total += n;
    for (let n = await appointments.reencryptBatch(); n > 0; n = await appointments.reencryptBatch()) total += n;
    const left = (await cancelReasonKeyIdsInUse(database)).filter((id) => id !== ring.currentKeyId);
    console.log(
      `re-encrypted ${total} cancellation reason(s) under key "${ring.currentKeyId}"` +
        (left.length ? `; still in use (rows locked by a writer, run again): ${left.join(', ')}` : '; no other key id is in use'),
    );
  } finally {
    await database.close();
  }
});
