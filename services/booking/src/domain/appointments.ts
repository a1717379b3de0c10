// Use cases of appointments: book (idempotent, double booking refused by the database),
// read, list, cancel. Ownership: an appointment exists only for its patient and provider;
// for anyone else it answers "not found".
import { createHash } from 'node:crypto';
import { checkCalendarRange, fail } from './errors.ts';
import { toSlotAvailability } from './free-slots.ts';
import type {
  Actor,
  AppointmentFilter,
  AppointmentPosition,
  AppointmentRecord,
  AppointmentRepository,
  AvailabilityRepository,
  Clock,
  IdempotencyRecord,
  OfferingSource,
} from './ports.ts';
import { isBookableStart, type NotBookableReason } from './slots.ts';
import { MINUTE_MS, parseLocalDate } from './zoned-time.ts';

export interface BookingDeps {
  readonly offerings: OfferingSource;
  readonly availability: AvailabilityRepository;
  readonly appointments: AppointmentRepository;
  readonly clock: Clock;
}

export interface BookCommand {
  readonly patientId: string;
  readonly offeringId: string;
  /** RFC 3339 instant, already checked for shape at the edge. */
  readonly start: string;
  readonly idempotencyKey?: string;
  readonly requestId?: string;
}

export interface BookResult {
  readonly appointment: AppointmentRecord;
  /** True when an earlier request with the same Idempotency-Key made this appointment. */
  readonly replayed: boolean;
}

const UNBOOKABLE_DETAIL: Record<Exclude<NotBookableReason, 'BUSY'>, (a: { maxAdvanceDays: number }) => string> = {
  OUTSIDE_AVAILABILITY: () => 'The provider is not available at that time',
  OFF_GRID: () => 'That time is not the start of a slot of this offering',
  IN_PAST: () => 'That time is in the past',
  TOO_SOON: () => 'That time is within the provider\'s minimum notice',
  TOO_FAR: (a) => `That time is too far ahead: the provider takes bookings at most ${a.maxAdvanceDays} days ahead`,
};

/**
 * What identifies "the same request" for an Idempotency-Key: the offering and the instant,
 * normalised (letter case of the id, the offset the instant was written with).
 */
export function bookingRequestHash(offeringId: string, startMs: number): string {
  const canonical = JSON.stringify({ offeringId: offeringId.toLowerCase(), start: new Date(startMs).toISOString() });
  return createHash('sha256').update(canonical).digest('hex');
}

function replay(record: IdempotencyRecord, requestHash: string): BookResult {
  if (record.requestHash !== requestHash) {
    throw fail('BOOKING_IDEMPOTENCY_MISMATCH', 'This Idempotency-Key was already used for a different booking request');
  }
  return { appointment: record.appointment, replayed: true };
}

export async function bookAppointment(deps: BookingDeps, cmd: BookCommand): Promise<BookResult> {
  const startMs = Date.parse(cmd.start);
  if (!Number.isFinite(startMs)) {
    throw fail('VALIDATION_FAILED', 'body/start must be an RFC 3339 instant', { errors: [{ field: 'body/start', message: 'must be an RFC 3339 instant' }] });
  }
  checkCalendarRange({ instants: { 'body/start': cmd.start } });
  const key = cmd.idempotencyKey;
  const requestHash = key === undefined ? undefined : bookingRequestHash(cmd.offeringId, startMs);
  // A retry is answered from what the first request stored, before anything else: by now
  // the slot is busy with the very appointment the retry asks for.
  const replayIfKnown = async (): Promise<BookResult | null> => {
    if (key === undefined || requestHash === undefined) return null;
    const prior = await deps.appointments.findIdempotency(cmd.patientId, key);
    return prior ? replay(prior, requestHash) : null;
  };
  const known = await replayIfKnown();
  if (known) return known;

  const offering = await deps.offerings.getOffering(cmd.offeringId, cmd.requestId);
  if (!offering || !offering.active) {
    throw fail('BOOKING_OFFERING_UNAVAILABLE', offering ? 'This offering is not bookable at the moment' : 'No such offering');
  }
  const availability = await deps.availability.get(offering.providerId);
  if (!availability) {
    throw fail('BOOKING_SLOT_UNAVAILABLE', 'The provider has not published any availability', { reason: 'OUTSIDE_AVAILABILITY' });
  }

  const durationMs = offering.durationMinutes * MINUTE_MS;
  const busy = await deps.appointments.busyIntervals(offering.providerId, new Date(startMs), new Date(startMs + durationMs));
  const now = deps.clock.now();
  const check = isBookableStart({ availability: toSlotAvailability(availability), durationMinutes: offering.durationMinutes, busy, now }, startMs);
  if (!check.bookable) {
    if (check.reason === 'BUSY') {
      // A concurrent retry with our key may be what holds the slot.
      const raced = await replayIfKnown();
      if (raced) return raced;
      throw fail('BOOKING_SLOT_TAKEN', 'That slot has just been booked; pick another one');
    }
    throw fail('BOOKING_SLOT_UNAVAILABLE', UNBOOKABLE_DETAIL[check.reason](availability), { reason: check.reason });
  }

  const outcome = await deps.appointments.insert(
    {
      providerId: offering.providerId,
      patientId: cmd.patientId,
      offeringId: offering.id,
      serviceId: offering.service.id,
      serviceName: offering.service.name,
      modality: offering.modality,
      price: { amount: offering.price.amount, currency: offering.price.currency },
      durationMinutes: offering.durationMinutes,
      timeZone: availability.timeZone,
      start: new Date(Date.parse(check.start)),
      end: new Date(Date.parse(check.end)),
      createdAt: now,
      venue: offering.venue,
    },
    key !== undefined && requestHash !== undefined ? { key, requestHash } : undefined,
  );
  switch (outcome.kind) {
    case 'created':
      return { appointment: outcome.appointment, replayed: false };
    case 'slot-taken': {
      const raced = await replayIfKnown();
      if (raced) return raced;
      throw fail('BOOKING_SLOT_TAKEN', 'That slot has just been booked; pick another one');
    }
    case 'key-taken': {
      const raced = await replayIfKnown();
      if (raced) return raced;
      // The key's row is committed (that is what refused ours), so this is not reachable.
      throw fail('CONFLICT', 'A request with this Idempotency-Key is in progress; retry');
    }
  }
}

export async function getAppointment(deps: Pick<BookingDeps, 'appointments'>, actor: Actor, id: string): Promise<AppointmentRecord> {
  const found = await deps.appointments.findVisible(id, actor);
  if (!found) throw fail('BOOKING_APPOINTMENT_NOT_FOUND', 'No such appointment');
  return found;
}

export interface ListQuery extends AppointmentFilter {
  readonly limit: number;
  readonly after?: AppointmentPosition;
}

export interface AppointmentPage {
  readonly items: AppointmentRecord[];
  /** Position of the last item when more follow, else null. */
  readonly next: AppointmentPosition | null;
}

/** A patient's own appointments, or a provider's agenda; by start time. */
export async function listAppointments(deps: Pick<BookingDeps, 'appointments'>, actor: Actor, q: ListQuery): Promise<AppointmentPage> {
  checkCalendarRange({ dates: { 'query/from': q.from, 'query/to': q.to } });
  const errors = (['from', 'to'] as const)
    .filter((f) => q[f] !== undefined && parseLocalDate(q[f]!) === null)
    .map((f) => ({ field: `query/${f}`, message: 'must be a calendar date YYYY-MM-DD from 1970 on' }));
  if (errors.length > 0) throw fail('BOOKING_INVALID_RANGE', 'Invalid date range', { errors });
  if (q.from !== undefined && q.to !== undefined && q.to < q.from) {
    throw fail('BOOKING_INVALID_RANGE', 'Invalid date range', { errors: [{ field: 'query/to', message: 'must not be before from' }] });
  }
  const rows = await deps.appointments.list(actor, { from: q.from, to: q.to, status: q.status }, q.limit + 1, q.after);
  const items = rows.slice(0, q.limit);
  const last = items[items.length - 1];
  return { items, next: rows.length > q.limit && last ? { start: last.start, id: last.id } : null };
}

/**
 * Cancels a booked appointment that has not started yet, by its patient or its provider.
 * Cancelling twice is a conflict (409), not a silent success: the second caller learns the
 * visit was already cancelled (perhaps by the other party) and when.
 */
export async function cancelAppointment(
  deps: Pick<BookingDeps, 'appointments' | 'clock'>,
  actor: Actor,
  id: string,
  reason: string | undefined,
): Promise<AppointmentRecord> {
  const trimmed = reason?.trim();
  const outcome = await deps.appointments.cancel(id, actor, deps.clock.now(), trimmed ? trimmed : null);
  switch (outcome.kind) {
    case 'cancelled':
      return outcome.appointment;
    case 'not-found':
      throw fail('BOOKING_APPOINTMENT_NOT_FOUND', 'No such appointment');
    case 'already-cancelled':
      throw fail('BOOKING_NOT_CANCELLABLE', 'The appointment is already cancelled');
    case 'started':
      throw fail('BOOKING_NOT_CANCELLABLE', 'The appointment has already started or taken place');
  }
}
