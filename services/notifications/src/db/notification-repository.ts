// The only place that reads and writes the notifications tables. Consumers write inside
// the transaction of their inbox row; the delivery worker claims due messages with
// FOR UPDATE SKIP LOCKED and records each attempt guarded by (status, attempts), so a
// worker that lost its lease can never overwrite what its successor recorded.
import { and, desc, eq, getTableColumns, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Locale, MessageKind } from '../domain/messages.ts';
import type { PlannedMessage } from '../domain/plan.ts';
import type { NotificationsDatabase, NotificationsTx } from './database.ts';
import { appointments, contacts, localeChanges, messages } from './schema.ts';

export type MessageRow = typeof messages.$inferSelect;
export type AppointmentRow = typeof appointments.$inferSelect;
export type ContactRow = typeof contacts.$inferSelect;

export interface ContactInput {
  userId: string;
  role: 'patient' | 'provider' | 'admin';
  email: string | null;
  locale: Locale;
}

export interface AppointmentInput {
  id: string;
  status: 'booked' | 'cancelled';
  patientId: string;
  providerId: string;
  serviceName: string;
  start: Date;
  end: Date;
  timeZone: string;
  modality: string;
  price: { amount: number; currency: string };
  providerName: string | null;
  address: string | null;
  city: string | null;
  cancelledBy: 'patient' | 'provider' | null;
}

export interface ListFilter {
  recipientId?: string;
  appointmentId?: string;
  status?: 'scheduled' | 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
  /** Keyset position: created before (createdAt, id) in descending order. */
  after?: { createdAt: Date; id: string };
  limit: number;
  now: Date;
}

export const messageIdFor = (id: string) => `<${id}@healthmatch>`;

/** lastError of a message waiting for its recipient's registration event. */
export const RECIPIENT_UNKNOWN = 'recipient address not known yet';

export function notificationRepository(database: NotificationsDatabase) {
  const { db } = database;

  return {
    async upsertContact(tx: NotificationsTx, c: ContactInput, at: Date): Promise<void> {
      await tx
        .insert(contacts)
        .values({ userId: c.userId, role: c.role, email: c.email, locale: c.locale, updatedAt: at })
        .onConflictDoUpdate({ target: contacts.userId, set: { role: c.role, email: c.email, locale: c.locale, updatedAt: at } });
      // Messages that were waiting for this address go out now, not at their next retry.
      await tx
        .update(messages)
        .set({ notBefore: at, updatedAt: at })
        .where(and(eq(messages.recipientId, c.userId), eq(messages.status, 'queued'), eq(messages.lastError, RECIPIENT_UNKNOWN), sql`${messages.notBefore} > ${at.toISOString()}::timestamptz`));
    },

    /**
     * The user changed the language of their messages at `changedAt` (the profile's
     * updatedAt, RFC 3339 with microseconds). Kept whether or not the registration has
     * arrived; a change older than the one kept is ignored (events are not delivered in order).
     */
    async recordLocaleChange(tx: NotificationsTx, userId: string, locale: 'it' | 'en', changedAt: string): Promise<void> {
      await tx
        .insert(localeChanges)
        .values({ userId, locale, changedAt: sql`${changedAt}::timestamptz` })
        .onConflictDoUpdate({
          target: localeChanges.userId,
          set: { locale, changedAt: sql`excluded.changed_at` },
          setWhere: sql`${localeChanges.changedAt} < excluded.changed_at`,
        });
    },

    /**
     * Records a booked appointment. Returns false (and changes nothing) when it is already
     * known: a cancellation that arrived first stays a cancellation.
     */
    async insertBooked(tx: NotificationsTx, a: AppointmentInput, at: Date): Promise<boolean> {
      const rows = await tx
        .insert(appointments)
        .values({ ...appointmentValues(a), status: 'booked', sequence: 0, updatedAt: at })
        .onConflictDoNothing()
        .returning({ id: appointments.id });
      return rows.length > 0;
    },

    /**
     * Marks the appointment cancelled (creating it from the event when the booking was never
     * seen) and bumps its invite SEQUENCE; returns false when it was cancelled already.
     * Pending reminders of the appointment are cancelled in the same transaction.
     */
    async applyCancelled(tx: NotificationsTx, a: AppointmentInput, at: Date): Promise<boolean> {
      const [existing] = await tx.select().from(appointments).where(eq(appointments.id, a.id)).for('update');
      if (existing?.status === 'cancelled') return false;
      if (existing) {
        await tx
          .update(appointments)
          .set({ status: 'cancelled', cancelledBy: a.cancelledBy, sequence: existing.sequence + 1, updatedAt: at })
          .where(eq(appointments.id, a.id));
      } else {
        await tx.insert(appointments).values({ ...appointmentValues(a), status: 'cancelled', sequence: 1, updatedAt: at });
      }
      await tx
        .update(messages)
        .set({ status: 'cancelled', lastError: 'appointment cancelled', updatedAt: at, leaseUntil: null })
        .where(and(eq(messages.appointmentId, a.id), eq(messages.kind, 'appointment.reminder'), eq(messages.status, 'queued')));
      return true;
    },

    /** Queues planned messages; one already queued for the same cause is left as it is. */
    async queue(tx: NotificationsTx, planned: readonly PlannedMessage[], at: Date): Promise<number> {
      if (planned.length === 0) return 0;
      const rows = await tx
        .insert(messages)
        .values(
          planned.map((p) => {
            const id = uuidv7();
            return {
              id,
              kind: p.kind,
              recipientId: p.recipientId,
              recipientRole: p.recipientRole,
              appointmentId: p.appointmentId,
              reminderOffsetMinutes: p.reminderOffsetMinutes,
              appointmentStart: p.appointmentStart,
              dedupeKey: p.dedupeKey,
              status: 'queued' as const,
              notBefore: p.notBefore,
              messageId: messageIdFor(id),
              createdAt: at,
              updatedAt: at,
            };
          }),
        )
        .onConflictDoNothing({ target: messages.dedupeKey })
        .returning({ id: messages.id });
      return rows.length;
    },

    /**
     * Claims up to `limit` messages that are due at `at.due`, or whose sender's lease ran out (it died
     * mid-send: the resend is the documented at-most-one duplicate). Each claim counts as
     * an attempt.
     */
    async claimDue(at: { due: Date; real: Date }, leaseMs: number, limit: number): Promise<MessageRow[]> {
      // `due` may be a test clock (reminders); leases always run on real time.
      const leaseUntil = new Date(at.real.getTime() + leaseMs);
      const now = at.real;
      const due = or(
        and(eq(messages.status, 'queued'), sql`${messages.notBefore} <= ${at.due.toISOString()}::timestamptz`),
        and(eq(messages.status, 'sending'), lt(messages.leaseUntil, at.real)),
      );
      return db.transaction(async (tx) => {
        const picked = await tx
          .select({ id: messages.id })
          .from(messages)
          .where(due)
          .orderBy(messages.notBefore)
          .limit(limit)
          .for('update', { skipLocked: true });
        if (picked.length === 0) return [];
        return tx
          .update(messages)
          .set({ status: 'sending', attempts: sql`${messages.attempts} + 1`, leaseUntil, updatedAt: now })
          .where(inArray(messages.id, picked.map((p) => p.id)))
          .returning();
      });
    },

    async contact(userId: string): Promise<ContactRow | null> {
      // The newest language change, when there is one, wins over the language at registration.
      const [row] = await db
        .select({ ...getTableColumns(contacts), locale: sql<'it' | 'en'>`coalesce(${localeChanges.locale}, ${contacts.locale})` })
        .from(contacts)
        .leftJoin(localeChanges, eq(localeChanges.userId, contacts.userId))
        .where(eq(contacts.userId, userId));
      return row ?? null;
    },

    async appointment(id: string): Promise<AppointmentRow | null> {
      const [row] = await db.select().from(appointments).where(eq(appointments.id, id));
      return row ?? null;
    },

    /** Keeps a claim while its send is still in progress; false when the claim was lost meanwhile. */
    async extendLease(claimed: Pick<MessageRow, 'id' | 'attempts'>, leaseUntil: Date): Promise<boolean> {
      const rows = await db
        .update(messages)
        .set({ leaseUntil })
        .where(and(eq(messages.id, claimed.id), eq(messages.status, 'sending'), eq(messages.attempts, claimed.attempts)))
        .returning({ id: messages.id });
      return rows.length > 0;
    },

    /** Records the outcome of attempt `attempt`; false when the claim was lost meanwhile. */
    async finish(
      claimed: Pick<MessageRow, 'id' | 'attempts'>,
      outcome:
        | { status: 'sent'; toAddress: string; subject: string }
        | { status: 'queued'; error: string; notBefore: Date; toAddress?: string | null; subject?: string | null }
        | { status: 'failed' | 'cancelled'; error: string; toAddress?: string | null; subject?: string | null },
      at: Date,
    ): Promise<boolean> {
      const set: Partial<typeof messages.$inferInsert> = { status: outcome.status, leaseUntil: null, updatedAt: at };
      if (outcome.status === 'sent') Object.assign(set, { sentAt: at, toAddress: outcome.toAddress, subject: outcome.subject, lastError: null });
      else {
        set.lastError = outcome.error.slice(0, 500);
        if (outcome.toAddress !== undefined) set.toAddress = outcome.toAddress;
        if (outcome.subject !== undefined) set.subject = outcome.subject;
        if (outcome.status === 'queued') set.notBefore = outcome.notBefore;
      }
      const rows = await db
        .update(messages)
        .set(set)
        .where(and(eq(messages.id, claimed.id), eq(messages.status, 'sending'), eq(messages.attempts, claimed.attempts)))
        .returning({ id: messages.id });
      return rows.length > 0;
    },

    async list(filter: ListFilter): Promise<MessageRow[]> {
      const where: SQL[] = [];
      if (filter.recipientId) where.push(eq(messages.recipientId, filter.recipientId));
      if (filter.appointmentId) where.push(eq(messages.appointmentId, filter.appointmentId));
      const nowIso = filter.now.toISOString();
      switch (filter.status) {
        case undefined:
          break;
        // "scheduled" and "queued" are one stored status, told apart by whether it is due.
        case 'scheduled':
          where.push(eq(messages.status, 'queued'), sql`${messages.notBefore} > ${nowIso}::timestamptz`);
          break;
        case 'queued':
          where.push(eq(messages.status, 'queued'), sql`${messages.notBefore} <= ${nowIso}::timestamptz`);
          break;
        default:
          where.push(eq(messages.status, filter.status));
      }
      if (filter.after) {
        where.push(sql`(${messages.createdAt}, ${messages.id}) < (${filter.after.createdAt.toISOString()}::timestamptz, ${filter.after.id}::uuid)`);
      }
      return db
        .select()
        .from(messages)
        .where(where.length > 0 ? and(...where) : undefined)
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(filter.limit);
    },

    async get(id: string): Promise<MessageRow | null> {
      const [row] = await db.select().from(messages).where(eq(messages.id, id));
      return row ?? null;
    },
  };
}

export type NotificationRepository = ReturnType<typeof notificationRepository>;

function appointmentValues(a: AppointmentInput) {
  return {
    id: a.id,
    patientId: a.patientId,
    providerId: a.providerId,
    serviceName: a.serviceName,
    startAt: a.start,
    endAt: a.end,
    timeZone: a.timeZone,
    modality: a.modality,
    priceAmount: a.price.amount,
    priceCurrency: a.price.currency,
    providerName: a.providerName,
    address: a.address,
    city: a.city,
    cancelledBy: a.cancelledBy,
  };
}

export type { MessageKind };
