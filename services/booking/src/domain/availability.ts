// Use cases of a provider's availability: replace it as a whole, read it back.
import { checkCalendarRange, fail, slotErrorToAppError } from './errors.ts';
import type { AvailabilityRepository, Clock, StoredAvailability } from './ports.ts';
import { DEFAULT_MAX_ADVANCE_DAYS, DEFAULT_MIN_NOTICE_MINUTES, validateAvailability, type Availability } from './slots.ts';
import { isValidTimeZone } from './zoned-time.ts';

/**
 * The zone's name with the tz database's spelling ('europe/rome' -> 'Europe/Rome'), or the
 * input when the runtime only knows it under another name (links such as 'Asia/Calcutta'
 * stay as written). null when the zone is unknown.
 */
export function canonicalTimeZone(name: string): string | null {
  if (!isValidTimeZone(name)) return null;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    return null;
  }
}

export interface AvailabilityDeps {
  readonly availability: AvailabilityRepository;
  readonly clock: Clock;
}

/**
 * Validates (exception dates within the API's calendar, IANA zone, well-formed and
 * non-overlapping intervals, a horizon beyond the minimum notice) and replaces. Defaults:
 * minimum notice DEFAULT_MIN_NOTICE_MINUTES, booking horizon DEFAULT_MAX_ADVANCE_DAYS.
 */
export async function replaceAvailability(deps: AvailabilityDeps, providerId: string, input: Availability): Promise<StoredAvailability> {
  checkCalendarRange({ dates: Object.fromEntries((input.exceptions ?? []).map((e, i) => [`body/exceptions/${i}/date`, e.date])) });
  const error = validateAvailability(input);
  if (error) throw slotErrorToAppError(error, 'body');
  const timeZone = canonicalTimeZone(input.timeZone);
  if (!timeZone) {
    // validateAvailability checks the zone already; this keeps the types honest.
    throw fail('BOOKING_INVALID_AVAILABILITY', 'Invalid availability', { errors: [{ field: 'body/timeZone', message: 'must be an IANA time zone, e.g. Europe/Rome' }] });
  }
  return deps.availability.put(
    {
      providerId,
      timeZone,
      weekly: input.weekly.map((w) => ({ day: w.day, start: w.start, end: w.end })),
      exceptions: (input.exceptions ?? []).map((e) => ({
        date: e.date,
        ...(e.closed !== undefined ? { closed: e.closed } : {}),
        ...(e.intervals !== undefined ? { intervals: e.intervals.map((i) => ({ start: i.start, end: i.end })) } : {}),
      })),
      minNoticeMinutes: input.minNoticeMinutes ?? DEFAULT_MIN_NOTICE_MINUTES,
      maxAdvanceDays: input.maxAdvanceDays ?? DEFAULT_MAX_ADVANCE_DAYS,
    },
    deps.clock.now(),
  );
}

export async function getAvailability(deps: Pick<AvailabilityDeps, 'availability'>, providerId: string): Promise<StoredAvailability> {
  const found = await deps.availability.get(providerId);
  if (!found) throw fail('BOOKING_NO_AVAILABILITY', 'You have not published any availability yet');
  return found;
}
