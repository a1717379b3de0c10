// Where a service's field keys come from (docs/adr/0006-field-encryption.md), without any
// database code: the key ring of an environment variable, or else the local key of a
// development run (kept in the service's own database by the store that db.ts provides),
// and the start-up check that every key id used by stored envelopes is in the ring.
// No business words; the caller says what the keys protect, for the messages.
import { ConfigError } from './config.ts';
import { createFieldKeyRing, FieldCipherError, generateFieldKey, parseFieldKeyRing, type FieldKeyRing } from './crypto.ts';

/** Id of the key generated for a run without FIELD_ENCRYPTION_KEYS. */
export const LOCAL_FIELD_KEY_ID = 'local';
/** The table (in the service's own database) that holds that key. */
export const LOCAL_FIELD_KEYS_TABLE = 'local_field_keys';
/** The variable of the field key ring every service with encrypted fields reads. */
export const FIELD_ENCRYPTION_KEYS = 'FIELD_ENCRYPTION_KEYS';

/**
 * The ring in a key-ring variable (`id:<base64>[,id:<base64>...]`), or undefined when it is
 * unset. A malformed value is a ConfigError naming the variable and the entry, never the
 * key material. Call it from a service's loadConfig to fail fast, and again where the
 * ring is used.
 */
export function keyRingFromEnv(service: string, variable: string, value: string | undefined): FieldKeyRing | undefined {
  if (value === undefined) return undefined;
  try {
    return parseFieldKeyRing(value);
  } catch (err) {
    // The parser's messages name the entry and the problem, never the key material.
    if (err instanceof FieldCipherError) throw new ConfigError(service, [`${variable} is invalid: ${err.message}`]);
    throw err;
  }
}

export interface LocalFieldKey {
  id: string;
  /** base64 of 32 bytes */
  keyMaterial: string;
  /** true when this call generated it (first start) */
  created: boolean;
}

/** Keeps the one local key of a service; the PostgreSQL one is `localFieldKeyStore` (db.ts). */
export interface LocalFieldKeyStore {
  /** The stored local key, or `generate()` stored as it when there is none; concurrent callers get the same key. */
  loadOrCreate(generate: () => string): Promise<LocalFieldKey>;
}

export interface WarnLogger {
  warn(obj: object, msg: string): void;
}

export interface FieldKeyRingOptions {
  /** Service name, for ConfigError and messages. */
  service: string;
  /** The value of the variable; undefined (unset) means the local key. */
  keys: string | undefined;
  /** What the keys protect, for messages, e.g. "sensitive profile fields". */
  protects: string;
  /** Distinct key ids of the envelopes this service has stored (its own query). */
  keyIdsInUse: () => Promise<readonly string[]>;
  /** Receives the local-key warning. */
  log: WarnLogger;
  /** Name of the variable; default FIELD_ENCRYPTION_KEYS. */
  variable?: string;
}

/**
 * The key ring of the variable when set (first key current). Without it, a key generated
 * on the first start and kept by `localKeys`: fine for a laptop, not for production, where
 * database and key must not travel together (a warning on every start). Then checks that
 * the ring opens every stored envelope, so a missing key stops the start instead of
 * answering 500 for some rows.
 */
export async function resolveFieldKeyRing(opts: FieldKeyRingOptions & { localKeys: LocalFieldKeyStore }): Promise<FieldKeyRing> {
  const variable = opts.variable ?? FIELD_ENCRYPTION_KEYS;
  let ring = keyRingFromEnv(opts.service, variable, opts.keys);
  if (!ring) {
    const local = await opts.localKeys.loadOrCreate(generateFieldKey);
    opts.log.warn(
      { keyId: local.id, generated: local.created },
      `${variable} is not set: ${opts.protects} are encrypted with a local key stored in the ${opts.service} database (table ${LOCAL_FIELD_KEYS_TABLE}). ` +
        `Production must set ${variable} (see docs/adr/0006-field-encryption.md)`,
    );
    ring = createFieldKeyRing([{ id: local.id, key: Buffer.from(local.keyMaterial, 'base64') }]);
  }
  assertRingOpensStoredFields(ring, await opts.keyIdsInUse(), { service: opts.service, variable, protects: opts.protects });
  return ring;
}

/** ConfigError when stored envelopes use a key id the ring does not list (they could not be read). */
export function assertRingOpensStoredFields(
  ring: FieldKeyRing,
  keyIdsInUse: readonly string[],
  about: { service: string; protects: string; variable?: string },
): void {
  const missing = keyIdsInUse.filter((id) => ring.keyFor(id) === undefined);
  if (missing.length === 0) return;
  const variable = about.variable ?? FIELD_ENCRYPTION_KEYS;
  const hint = missing.includes(LOCAL_FIELD_KEY_ID)
    ? ` Key "${LOCAL_FIELD_KEY_ID}" is the generated local key: its material is in the table ${LOCAL_FIELD_KEYS_TABLE} of this database.`
    : '';
  throw new ConfigError(about.service, [
    `${variable} does not list key id(s) ${missing.map((m) => `"${m}"`).join(', ')}, which stored ${about.protects} are encrypted with. ` +
      `Add them after the current key until the re-encryption command has moved every row.${hint}`,
  ]);
}
