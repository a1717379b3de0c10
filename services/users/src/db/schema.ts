// Tables of the users service. Imports only drizzle-orm so drizzle-kit can load it.
// Columns ending in _enc hold field envelopes (AES-256-GCM, see docs/adr/0006): the CHECKs
// make a plaintext write fail instead of landing silently.
import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, pgTable, text, timestamp, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

const envelope = (column: AnyPgColumn) => sql`${column} ~ '^v1:[A-Za-z0-9_-]+:'`;

/** A patient's profile; id is the account id (the access token's subject). */
export const patientProfiles = pgTable(
  'patient_profiles',
  {
    id: uuid().primaryKey(),
    emailEnc: text().notNull(),
    firstName: text().notNull(),
    lastNameEnc: text().notNull(),
    phoneEnc: text(),
    birthDateEnc: text(),
    locale: text().notNull().default('it'),
    ...timestamps,
  },
  (t) => [
    check('patient_profiles_email_enc_envelope', envelope(t.emailEnc)),
    check('patient_profiles_last_name_enc_envelope', envelope(t.lastNameEnc)),
    check('patient_profiles_phone_enc_envelope', envelope(t.phoneEnc)),
    check('patient_profiles_birth_date_enc_envelope', envelope(t.birthDateEnc)),
    check('patient_profiles_locale', sql`${t.locale} in ('it', 'en')`),
  ],
);

/** A provider's profile: public directory data in clear, contact data encrypted. */
export const providerProfiles = pgTable(
  'provider_profiles',
  {
    id: uuid().primaryKey(),
    emailEnc: text().notNull(),
    displayName: text().notNull(),
    kind: text().notNull(),
    languages: text().array().notNull(),
    address: text().notNull(),
    city: text().notNull(),
    lat: doublePrecision().notNull(),
    lon: doublePrecision().notNull(),
    bio: text(),
    locale: text().notNull().default('it'),
    demo: boolean().notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check('provider_profiles_email_enc_envelope', envelope(t.emailEnc)),
    check('provider_profiles_kind', sql`${t.kind} in ('practitioner', 'facility')`),
    check('provider_profiles_locale', sql`${t.locale} in ('it', 'en')`),
    check('provider_profiles_lat', sql`${t.lat} between -90 and 90`),
    check('provider_profiles_lon', sql`${t.lon} between -180 and 180`),
    check('provider_profiles_languages', sql`cardinality(${t.languages}) between 1 and 20`),
  ],
);

/**
 * The generated field key of a run without FIELD_ENCRYPTION_KEYS (local development only;
 * see docs/adr/0006). Empty whenever the variable is set from the first start. The kit
 * (loadFieldKeyRing) reads and writes it, and creates it in services whose migrations do
 * not; here migration 0000 made it first. Keep it declared: dropping it from this schema
 * would make drizzle-kit generate a DROP TABLE, and with it the key of local profiles.
 */
export const localFieldKeys = pgTable('local_field_keys', {
  id: text().primaryKey(),
  keyMaterial: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const schema = { patientProfiles, providerProfiles, localFieldKeys };
