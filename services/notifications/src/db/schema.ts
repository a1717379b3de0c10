// Tables of the notifications service. Imports only drizzle-orm so drizzle-kit can load it.
// contacts and appointments are read models fed by events (docs/adr/0011); messages is the
// delivery log and, at the same time, the durable queue the delivery worker drains.
// The inbox table (event ids already handled) is the event kit's, created at start-up.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

/** Who can be written to: from auth.user.registered.v1. email is null when the address is unusable. */
export const contacts = pgTable('contacts', {
  userId: uuid().primaryKey(),
  role: text({ enum: ['patient', 'provider', 'admin'] }).notNull(),
  email: text(),
  /** The language at registration; a later change in localeChanges takes precedence. */
  locale: text({ enum: ['it', 'en'] }).notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull(),
});

/**
 * The newest language change of a user, from users.profile.updated.v1. Kept apart from
 * contacts so that a change arriving before the registration (events of two services are
 * not ordered) is kept too. changedAt is the profile's updatedAt (microseconds): an older
 * change arriving late does not undo a newer one.
 */
export const localeChanges = pgTable('locale_changes', {
  userId: uuid().primaryKey(),
  locale: text({ enum: ['it', 'en'] }).notNull(),
  changedAt: timestamp({ withTimezone: true, precision: 6 }).notNull(),
});

/** What messages need to know of an appointment: from the booked/cancelled events. */
export const appointments = pgTable('appointments', {
  id: uuid().primaryKey(),
  status: text({ enum: ['booked', 'cancelled'] }).notNull(),
  patientId: uuid().notNull(),
  providerId: uuid().notNull(),
  serviceName: text().notNull(),
  startAt: timestamp({ withTimezone: true }).notNull(),
  endAt: timestamp({ withTimezone: true }).notNull(),
  timeZone: text().notNull(),
  modality: text().notNull(),
  priceAmount: integer().notNull(),
  priceCurrency: text().notNull(),
  providerName: text(),
  address: text(),
  city: text(),
  /** iCalendar SEQUENCE of the last invite or cancellation. */
  sequence: integer().notNull().default(0),
  cancelledBy: text({ enum: ['patient', 'provider'] }),
  updatedAt: timestamp({ withTimezone: true }).notNull(),
});

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'cancelled'] as const;

export const messages = pgTable(
  'messages',
  {
    id: uuid().primaryKey(),
    kind: text().notNull(),
    recipientId: uuid().notNull(),
    recipientRole: text({ enum: ['patient', 'provider'] }).notNull(),
    appointmentId: uuid(),
    reminderOffsetMinutes: integer(),
    /** The appointment start a reminder was computed from: a moved appointment makes it stale. */
    appointmentStart: timestamp({ withTimezone: true }),
    /** One message per (cause, recipient): a second event for the same cause adds nothing. */
    dedupeKey: text().notNull(),
    status: text({ enum: MESSAGE_STATUSES }).notNull(),
    notBefore: timestamp({ withTimezone: true }).notNull(),
    attempts: integer().notNull().default(0),
    /** While `sending`: another worker may take the message over after this instant. */
    leaseUntil: timestamp({ withTimezone: true }),
    lastError: text(),
    toAddress: text(),
    subject: text(),
    /** The RFC 5322 Message-ID, fixed when the row is made: a resend carries the same one. */
    messageId: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex('messages_dedupe_key_idx').on(t.dedupeKey),
    // The worker's scan: due queued rows, and sending rows whose lease ran out.
    index('messages_due_idx').on(t.notBefore).where(sql`${t.status} in ('queued', 'sending')`),
    index('messages_recipient_idx').on(t.recipientId, t.createdAt, t.id),
    index('messages_appointment_idx').on(t.appointmentId),
    check('messages_status_check', sql`${t.status} in ('queued', 'sending', 'sent', 'failed', 'cancelled')`),
    check('messages_attempts_check', sql`${t.attempts} >= 0`),
  ],
);
