// Use case: the free slots of an offering over a range of the provider's local dates.
import { checkCalendarRange, fail, slotErrorToAppError } from './errors.ts';
import type { AppointmentRepository, AvailabilityRepository, Clock, OfferingSource, StoredAvailability } from './ports.ts';
import { computeFreeSlots, validateSlotRange, type Slot } from './slots.ts';
import { DAY_MS, parseLocalDate } from './zoned-time.ts';

export interface SlotDeps {
  readonly offerings: OfferingSource;
  readonly availability: AvailabilityRepository;
  readonly appointments: AppointmentRepository;
  readonly clock: Clock;
}

export interface FreeSlotsQuery {
  readonly offeringId: string;
  /** Local dates in the provider's zone; `to` inclusive. */
  readonly from: string;
  readonly to: string;
  readonly requestId?: string;
}

export interface FreeSlots {
  readonly offeringId: string;
  readonly timeZone: string;
  readonly slots: Slot[];
}

/**
 * Instants that surely contain local dates from..to in any zone (offsets are within
 * -12h..+14h); a day of margin each side keeps it simple.
 */
function coveringWindow(from: string, to: string): { start: Date; end: Date } {
  const fromDay = parseLocalDate(from)!;
  const toDay = parseLocalDate(to)!;
  return { start: new Date((fromDay - 1) * DAY_MS), end: new Date((toDay + 2) * DAY_MS) };
}

export async function findFreeSlots(deps: SlotDeps, q: FreeSlotsQuery): Promise<FreeSlots> {
  checkCalendarRange({ dates: { 'query/from': q.from, 'query/to': q.to } });
  const rangeError = validateSlotRange(q.from, q.to);
  if (rangeError) throw slotErrorToAppError(rangeError, 'query');

  const offering = await deps.offerings.getOffering(q.offeringId, q.requestId);
  if (!offering) throw fail('CATALOG_OFFERING_NOT_FOUND', 'No such offering');
  if (!offering.active) throw fail('BOOKING_OFFERING_UNAVAILABLE', 'This offering is not bookable at the moment');
  const availability = await deps.availability.get(offering.providerId);
  if (!availability) throw fail('BOOKING_NO_AVAILABILITY', 'The provider has not published any availability yet');

  const now = deps.clock.now();
  const window = coveringWindow(q.from, q.to);
  // Slots before now are dropped anyway: busy time before now does not matter.
  const busyFrom = window.start < now ? now : window.start;
  const busy = busyFrom < window.end ? await deps.appointments.busyIntervals(offering.providerId, busyFrom, window.end) : [];

  const slots = computeFreeSlots({ availability: toSlotAvailability(availability), durationMinutes: offering.durationMinutes, busy, now, from: q.from, to: q.to });
  return { offeringId: offering.id, timeZone: availability.timeZone, slots };
}

export function toSlotAvailability(a: StoredAvailability) {
  return { timeZone: a.timeZone, weekly: a.weekly, exceptions: a.exceptions, minNoticeMinutes: a.minNoticeMinutes, maxAdvanceDays: a.maxAdvanceDays };
}
