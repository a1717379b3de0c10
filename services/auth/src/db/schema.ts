// Tables of the auth database. Imports only drizzle-orm, so drizzle-kit can load it.
// Column names are snake_case (the kit's drizzle instance and drizzle.config use casing).
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** One row per account: the e-mail as given, its normalised form (unique), the password hash. */
export const credentials = pgTable(
  'credentials',
  {
    id: uuid().primaryKey(), // UUID v7, made by the application (PostgreSQL 17 has no uuidv7())
    email: text().notNull(),
    // Case-insensitive uniqueness: derived by the database itself, so it can never drift.
    emailNormalized: text().notNull().generatedAlwaysAs(sql`lower(btrim(email))`),
    passwordHash: text().notNull(),
    role: text().notNull(),
    createdAt: createdAt(),
    updatedAt: createdAt(),
  },
  (t) => [
    uniqueIndex('credentials_email_normalized_key').on(t.emailNormalized),
    check('credentials_role_check', sql`role in ('patient', 'provider', 'admin')`),
  ],
);

/**
 * Failed-login counters per normalised e-mail (not per account row, so an unknown
 * e-mail is throttled exactly like a known one and the answers do not tell them apart).
 */
export const loginThrottle = pgTable('login_throttle', {
  emailNormalized: text().primaryKey(),
  failures: integer().notNull(),
  windowStartedAt: timestamp({ withTimezone: true }).notNull(),
  lockedUntil: timestamp({ withTimezone: true }),
  updatedAt: createdAt(),
});

/** A login starts a family; every refresh rotates within it; reuse or logout revokes it whole. */
export const refreshTokenFamilies = pgTable(
  'refresh_token_families',
  {
    id: uuid().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => credentials.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
    revokedAt: timestamp({ withTimezone: true }),
    revokedReason: text(),
  },
  (t) => [index('refresh_token_families_user_id_idx').on(t.userId)],
);

export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid().primaryKey(),
    familyId: uuid()
      .notNull()
      .references(() => refreshTokenFamilies.id, { onDelete: 'cascade' }),
    /** sha-256 (hex) of the opaque token; the token itself is never stored. */
    tokenHash: text().notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    /** Set when the token was exchanged for a new one; presenting it again is reuse. */
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_id_idx').on(t.familyId),
    index('refresh_tokens_expires_at_idx').on(t.expiresAt),
  ],
);

/**
 * Access-token signing keys. Exactly one is active (partial unique index); retired keys
 * stay published in the JWKS until `verify_until`, when the last token they signed expired.
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text().primaryKey(),
    alg: text().notNull(),
    publicJwk: jsonb().notNull().$type<Record<string, unknown>>(),
    /** Private JWK as JSON, or its AES-256-GCM envelope when encryption_key_id is set. */
    privateKey: text().notNull(),
    encryptionKeyId: text(),
    active: boolean().notNull(),
    createdAt: createdAt(),
    retiredAt: timestamp({ withTimezone: true }),
    verifyUntil: timestamp({ withTimezone: true }),
  },
  (t) => [uniqueIndex('signing_keys_single_active_key').on(t.active).where(sql`active`)],
);
