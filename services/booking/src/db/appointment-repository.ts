// Appointments in PostgreSQL. Double booking is refused by the exclusion constraint
// appointments_no_overlap (migration 0001), not by a read-then-write check: the check in
// the use case only gives a friendlier early answer; the constraint decides races.
// The cancellation reason is sealed here on the way in and opened on the way out (the
// kit's field cipher, bound to table, column and row): nothing above this file sees an
// envelope, nothing below it a plaintext reason.
import { and, asc, eq, gt, gte, isNotNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import { EventSources, EventTypes, type AppointmentBookedV1, type AppointmentCancelledV1 } from '@healthmatch/contracts';
import { PgErrorCode, pgErrorCode, type FieldCipher } from '@healthmatch/platform';
import { createEvent, enqueue } from '@healthmatch/platform/events';
import { uuidv7 } from 'uuidv7';
import type { Actor, AppointmentRecord, AppointmentRepository, Venue } from '../domain/ports.ts';
import { DAY_MS, parseLocalDate } from '../domain/zoned-time.ts';
import type { BookingDatabase } from './database.ts';
import { appointments, FIELD_ENVELOPE_REGEX, idempotencyKeys } from './schema.ts';

type Row = typeof appointments.$inferSelect;

/** The cipher context of a reason: a sealed reason copied to another row does not open. */
const reasonContext = (appointmentId: string) => `appointments.cancel_reason_enc:${appointmentId}`;

const isEnvelope = sql`${appointments.cancelReasonEnc} ~ ${FIELD_ENVELOPE_REGEX}`;

/** The rows `actor` may see: theirs as patient, or theirs as provider. */
const ownedBy = (actor: Actor): SQL =>
  actor.role === 'patient' ? eq(appointments.patientId, actor.id) : eq(appointments.providerId, actor.id);

/** Local date of the appointment in its own zone (the provider's at booking time). */
const localDate = sql`(${appointments.startAt} at time zone ${appointments.timeZone})::date`;

/** Distinct key ids of the stored reasons (the start-up check; needs no cipher). */
export async function cancelReasonKeyIdsInUse({ db }: BookingDatabase): Promise<string[]> {
  const rows = await db
    .selectDistinct({ keyId: sql<string>`split_part(${appointments.cancelReasonEnc}, ':', 2)` })
    .from(appointments)
    .where(and(isNotNull(appointments.cancelReasonEnc), isEnvelope))
    .orderBy(sql`1`);
  return rows.map((r) => r.keyId);
}

export interface AppointmentStore extends AppointmentRepository {
  /**
   * Seals up to `limit` reasons stored in clear before migration 0002; returns how many.
   * Waits for rows another replica is sealing (and then skips them), so once it returns 0
   * no plaintext reason is left.
   */
  sealPlaintextReasons(limit?: number): Promise<number>;
  /** Re-seals up to `limit` reasons that use an older key (key rotation); returns how many. */
  reencryptBatch(limit?: number): Promise<number>;
}

/** The fields both appointment events share (never the cancellation reason). */
function appointmentEventFields(a: AppointmentRecord) {
  return {
    appointmentId: a.id,
    patientId: a.patientId,
    providerId: a.providerId,
    offeringId: a.offeringId,
    serviceId: a.serviceId,
    serviceName: a.serviceName,
    start: a.start.toISOString(),
    end: a.end.toISOString(),
    timeZone: a.timeZone,
    modality: a.modality,
    price: { amount: a.price.amount, currency: a.price.currency },
  };
}

function bookedEvent(a: AppointmentRecord, venue: Venue | undefined) {
  const data: AppointmentBookedV1 = { ...appointmentEventFields(a), status: 'booked', ...(venue ? { venue: { ...venue } } : {}) };
  return createEvent({ source: EventSources.booking, type: EventTypes.appointmentBooked, subject: a.id, data, time: a.createdAt });
}

function cancelledEvent(a: AppointmentRecord) {
  if (a.cancelledBy === null || a.cancelledAt === null) throw new Error(`appointment ${a.id}: cancelled without cancelledBy/cancelledAt`);
  const data: AppointmentCancelledV1 = {
    ...appointmentEventFields(a),
    status: 'cancelled',
    cancelledBy: a.cancelledBy,
    cancelledAt: a.cancelledAt.toISOString(),
  };
  return createEvent({ source: EventSources.booking, type: EventTypes.appointmentCancelled, subject: a.id, data, time: a.cancelledAt });
}

export function appointmentRepository({ db }: BookingDatabase, cipher: FieldCipher): AppointmentStore {
  const seal = (id: string, reason: string | null) => (reason === null ? null : cipher.encrypt(reason, reasonContext(id)));
  const open = (id: string, envelope: string | null) => (envelope === null ? null : cipher.decrypt(envelope, reasonContext(id)));

  const toRecord = (r: Row): AppointmentRecord => ({
    id: r.id,
    status: r.status,
    providerId: r.providerId,
    patientId: r.patientId,
    offeringId: r.offeringId,
    serviceId: r.serviceId,
    serviceName: r.serviceName,
    modality: r.modality,
    price: { amount: r.priceAmount, currency: r.priceCurrency },
    durationMinutes: r.durationMinutes,
    timeZone: r.timeZone,
    start: r.startAt,
    end: r.endAt,
    createdAt: r.createdAt,
    cancelledAt: r.cancelledAt,
    cancelledBy: r.cancelledBy,
    cancelReason: open(r.id, r.cancelReasonEnc),
  });

  /** Seals again, under the current key, the reasons of up to `limit` rows that `where` selects (row-locked). */
  const reseal = (where: SQL, plaintextOf: (id: string, stored: string) => string, limit: number, lock: 'wait' | 'skip') =>
    db.transaction(async (tx) => {
      const query = tx
        .select({ id: appointments.id, stored: appointments.cancelReasonEnc })
        .from(appointments)
        .where(and(isNotNull(appointments.cancelReasonEnc), where))
        .limit(limit);
      const rows = lock === 'skip' ? await query.for('update', { skipLocked: true }) : await query.for('update');
      for (const { id, stored } of rows) {
        await tx
          .update(appointments)
          .set({ cancelReasonEnc: seal(id, plaintextOf(id, stored!)) })
          .where(eq(appointments.id, id));
      }
      return rows.length;
    });

  const findVisible = async (id: string, actor: Actor) => {
    const [row] = await db.select().from(appointments).where(and(eq(appointments.id, id), ownedBy(actor)));
    return row ? toRecord(row) : null;
  };

  return {
    // FOR UPDATE without SKIP LOCKED: a row another replica is sealing is waited for, then
    // re-checked (no longer plaintext) and left alone.
    sealPlaintextReasons: (limit = 200) => reseal(sql`not (${isEnvelope})`, (_id, plaintext) => plaintext, limit, 'wait'),

    reencryptBatch: (limit = 200) =>
      reseal(
        sql`${isEnvelope} and split_part(${appointments.cancelReasonEnc}, ':', 2) <> ${cipher.currentKeyId}`,
        (id, envelope) => cipher.decrypt(envelope, reasonContext(id)),
        limit,
        'skip',
      ),

    async busyIntervals(providerId, from, to) {
      const rows = await db
        .select({ start: appointments.startAt, end: appointments.endAt })
        .from(appointments)
        .where(and(eq(appointments.providerId, providerId), ne(appointments.status, 'cancelled'), lt(appointments.startAt, to), gt(appointments.endAt, from)));
      return rows;
    },

    async insert(a, idempotency) {
      const id = uuidv7();
      try {
        return await db.transaction(async (tx) => {
          if (idempotency) {
            // The key row goes first: a concurrent request with the same key waits here
            // until we commit, then finds the key taken and replays our appointment.
            const claimed = await tx
              .insert(idempotencyKeys)
              .values({ patientId: a.patientId, key: idempotency.key, requestHash: idempotency.requestHash, appointmentId: id, createdAt: a.createdAt })
              .onConflictDoNothing()
              .returning({ key: idempotencyKeys.key });
            if (claimed.length === 0) return { kind: 'key-taken' as const };
          }
          const [row] = await tx
            .insert(appointments)
            .values({
              id,
              status: 'booked',
              providerId: a.providerId,
              patientId: a.patientId,
              offeringId: a.offeringId,
              serviceId: a.serviceId,
              serviceName: a.serviceName,
              modality: a.modality,
              priceAmount: a.price.amount,
              priceCurrency: a.price.currency,
              durationMinutes: a.durationMinutes,
              timeZone: a.timeZone,
              startAt: a.start,
              endAt: a.end,
              createdAt: a.createdAt,
            })
            .returning();
          const appointment = toRecord(row!);
          // Same transaction as the row: a refused or rolled-back booking leaves no event,
          // and an idempotent replay returns before reaching here.
          await enqueue(tx, bookedEvent(appointment, a.venue));
          return { kind: 'created' as const, appointment };
        });
      } catch (err) {
        if (pgErrorCode(err) === PgErrorCode.exclusionViolation) return { kind: 'slot-taken' };
        throw err;
      }
    },

    async findIdempotency(patientId, key) {
      const [row] = await db
        .select({ requestHash: idempotencyKeys.requestHash, appointment: appointments })
        .from(idempotencyKeys)
        .innerJoin(appointments, eq(appointments.id, idempotencyKeys.appointmentId))
        .where(and(eq(idempotencyKeys.patientId, patientId), eq(idempotencyKeys.key, key)));
      return row ? { requestHash: row.requestHash, appointment: toRecord(row.appointment) } : null;
    },

    findVisible,

    async list(actor, filter, limit, after) {
      const conditions: SQL[] = [ownedBy(actor)];
      if (filter.status) conditions.push(eq(appointments.status, filter.status));
      if (filter.from !== undefined) {
        // The coarse bound on start_at lets the (owner, start_at) index do the work; the
        // exact test is on the local date. UTC offsets lie within -12h..+14h.
        conditions.push(gte(appointments.startAt, new Date((parseLocalDate(filter.from)! - 1) * DAY_MS)));
        conditions.push(sql`${localDate} >= ${filter.from}::date`);
      }
      if (filter.to !== undefined) {
        conditions.push(lt(appointments.startAt, new Date((parseLocalDate(filter.to)! + 2) * DAY_MS)));
        conditions.push(sql`${localDate} <= ${filter.to}::date`);
      }
      if (after) conditions.push(sql`(${appointments.startAt}, ${appointments.id}) > (${after.start.toISOString()}::timestamptz, ${after.id}::uuid)`);
      const rows = await db
        .select()
        .from(appointments)
        .where(and(...conditions))
        .orderBy(asc(appointments.startAt), asc(appointments.id))
        .limit(limit);
      return rows.map(toRecord);
    },

    async cancel(id, actor, now, reason) {
      const cancelled = await db.transaction(async (tx) => {
        const [row] = await tx
          .update(appointments)
          .set({ status: 'cancelled', cancelledAt: now, cancelledBy: actor.role, cancelReasonEnc: seal(id, reason) })
          .where(and(eq(appointments.id, id), ownedBy(actor), eq(appointments.status, 'booked'), gt(appointments.startAt, now)))
          .returning();
        if (!row) return null;
        const appointment = toRecord(row);
        await enqueue(tx, cancelledEvent(appointment));
        return appointment;
      });
      if (cancelled) return { kind: 'cancelled', appointment: cancelled };
      const current = await findVisible(id, actor);
      if (!current) return { kind: 'not-found' };
      return current.status === 'cancelled' ? { kind: 'already-cancelled' } : { kind: 'started' };
    },
  };
}
