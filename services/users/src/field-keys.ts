// Which keys seal and open the sensitive profile fields (docs/adr/0006-field-encryption.md).
import {
  ConfigError,
  createFieldKeyRing,
  generateFieldKey,
  parseFieldKeyRing,
  type Database,
  type FieldKeyRing,
} from '@healthmatch/platform';
import type { UsersConfig } from './config.ts';
import { LOCAL_FIELD_KEY_ID, loadOrCreateLocalFieldKey } from './db/local-field-key-store.ts';
import type { schema } from './db/schema.ts';

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * FIELD_ENCRYPTION_KEYS when set (first key current). Without it, a key generated on the
 * first start and kept in this service's database: fine for a laptop, not for production,
 * where database and key must not travel together (logged as a warning on every start).
 */
export async function resolveFieldKeyRing(config: UsersConfig, database: Database<typeof schema>, log: WarnLogger): Promise<FieldKeyRing> {
  if (config.FIELD_ENCRYPTION_KEYS !== undefined) return parseFieldKeyRing(config.FIELD_ENCRYPTION_KEYS);
  const local = await loadOrCreateLocalFieldKey(database.db, generateFieldKey);
  log.warn(
    { keyId: local.id, generated: local.created },
    'FIELD_ENCRYPTION_KEYS is not set: sensitive profile fields are encrypted with a local key stored in the users database. Production must set FIELD_ENCRYPTION_KEYS (see docs/adr/0006-field-encryption.md)',
  );
  return createFieldKeyRing([{ id: local.id, key: Buffer.from(local.keyMaterial, 'base64') }]);
}

/** Fails start-up when stored fields use a key id the ring no longer lists (they could not be read). */
export function assertRingOpensStoredFields(ring: FieldKeyRing, keyIdsInUse: readonly string[]): void {
  const missing = keyIdsInUse.filter((id) => ring.keyFor(id) === undefined);
  if (missing.length === 0) return;
  const hint = missing.includes(LOCAL_FIELD_KEY_ID)
    ? ` Key "${LOCAL_FIELD_KEY_ID}" is the generated local key: its material is in the table local_field_keys of this database.`
    : '';
  throw new ConfigError('users', [
    `FIELD_ENCRYPTION_KEYS does not list key id(s) ${missing.map((m) => `"${m}"`).join(', ')}, which stored profiles are encrypted with. ` +
      `Add them after the current key until the re-encryption command has moved every row.${hint}`,
  ]);
}
