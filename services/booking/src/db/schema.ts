// Tables of the booking service. Imports only drizzle-orm so drizzle-kit can load it.
// Columns ending in _enc hold field envelopes (AES-256-GCM, the kit's field cipher, see
// docs/adr/0006): a CHECK makes a plaintext write fail instead of landing silently.
// The exclusion constraint that makes double booking impossible cannot be expressed in
// drizzle; it lives in the custom migration 0001 (see docs/adr/0003-double-booking-constraint.md).
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export interface StoredWallInterval {
  start: string;
  end: string;
}
export interface StoredWeeklyInterval extends StoredWallInterval {
  day: 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
}
export interface StoredDateException {
  date: string;
  closed?: boolean;
  intervals?: StoredWallInterval[];
}

/**
 * A field envelope of the kit's cipher as a PostgreSQL regular expression:
 * v1:<keyId>:<iv, 12 bytes>:<tag, 16 bytes>:<ciphertext>, base64url without padding.
 */
export const FIELD_ENVELOPE_REGEX = '^v1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]*$';

/**
 * One row per provider: the whole availability, replaced on every PUT. The booking horizon
 * (max_advance_days) came with migration 0003: rows from before it got the default, 180
 * days (DEFAULT_MAX_ADVANCE_DAYS of the contracts; this file imports only drizzle-orm).
 */
export const availabilities = pgTable(
  'availabilities',
  {
    providerId: uuid().primaryKey(),
    timeZone: text().notNull(),
    weekly: jsonb().$type<StoredWeeklyInterval[]>().notNull(),
    exceptions: jsonb().$type<StoredDateException[]>().notNull(),
    minNoticeMinutes: integer().notNull(),
    maxAdvanceDays: integer().notNull().default(180),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [check('availabilities_max_advance_days_check', sql`${t.maxAdvanceDays} between 1 and 730`)],
);

export const appointments = pgTable(
  'appointments',
  {
    id: uuid().primaryKey(),
    status: text({ enum: ['booked', 'cancelled'] }).notNull(),
    providerId: uuid().notNull(),
    patientId: uuid().notNull(),
    offeringId: uuid().notNull(),
    // A copy of the offering at booking time: later changes never rewrite a booked visit.
    serviceId: uuid().notNull(),
    serviceName: text().notNull(),
    modality: text().notNull(),
    priceAmount: integer().notNull(),
    priceCurrency: text().notNull(),
    durationMinutes: integer().notNull(),
    timeZone: text().notNull(),
    startAt: timestamp({ withTimezone: true }).notNull(),
    endAt: timestamp({ withTimezone: true }).notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    cancelledAt: timestamp({ withTimezone: true }),
    cancelledBy: text({ enum: ['patient', 'provider'] }),
    // Free text that may be health information: stored only sealed (bound to this row),
    // never logged. Rows cancelled before migration 0002 held it in clear; the service
    // seals those at start-up.
    cancelReasonEnc: text(),
  },
  (t) => [
    index('appointments_patient_start_idx').on(t.patientId, t.startAt, t.id),
    index('appointments_provider_start_idx').on(t.providerId, t.startAt, t.id),
    check('appointments_status_check', sql`${t.status} in ('booked', 'cancelled')`),
    check('appointments_period_check', sql`${t.endAt} > ${t.startAt}`),
    check(
      'appointments_cancellation_check',
      sql`(${t.status} = 'cancelled') = (${t.cancelledAt} is not null and ${t.cancelledBy} is not null)`,
    ),
    check('appointments_cancelled_by_check', sql`${t.cancelledBy} is null or ${t.cancelledBy} in ('patient', 'provider')`),
    check('appointments_price_check', sql`${t.priceAmount} >= 0 and ${t.priceCurrency} ~ '^[A-Z]{3}$'`),
    // NOT VALID in migration 0002 (rows from before it are sealed by the service at start-up).
    check('appointments_cancel_reason_enc_envelope', sql`${t.cancelReasonEnc} ~ ${sql.raw(`'${FIELD_ENVELOPE_REGEX}'`)}`),
  ],
);

/**
 * Idempotency-Key of a booking request, per patient. Inserted in the same transaction as
 * the appointment, so a key maps to exactly one appointment. The foreign key to
 * appointments is DEFERRABLE INITIALLY DEFERRED (custom migration 0001) because the key
 * row is written first: it is the lock that serialises concurrent retries.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    patientId: uuid().notNull(),
    key: text().notNull(),
    requestHash: text().notNull(),
    appointmentId: uuid().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.patientId, t.key] })],
);
