// Free appointment slots of one provider: a pure function of the provider's availability,
// the offering's duration, the provider's busy time and the current instant (passed in;
// this module never reads a clock).
//
// Rules
// - Availability is wall-clock time in the provider's IANA zone: weekly intervals (several
//   per day, so breaks are possible) and date exceptions. An exception replaces the weekly
//   hours of its date: `closed: true` (or no intervals) means no hours that day, otherwise
//   its `intervals` are that day's hours.
// - Each wall-clock interval becomes a real interval [start, end) by resolveWallTime()
//   (zoned-time.ts): a wall time maps to the first instant the provider's clock shows it or
//   a later time. Ambiguous times (fall back) take their first occurrence; times inside a
//   spring-forward gap map to the transition instant. Slots start at the interval's real
//   start and step by the duration in real elapsed minutes; a slot must end by the
//   interval's real end (a last partial slot is dropped). So 01:00-04:00 in Europe/Rome
//   holds 2 real hours of slots on 2026-03-29 and 4 on 2026-10-25, and no instant is
//   emitted twice. See docs/adr/0005-slots-across-dst.md.
// - A slot is dropped when it overlaps any busy interval [start, end) (appointments of the
//   provider across all offerings) or when it starts before now + minimum notice.
// - Booking horizon: with `maxAdvanceDays` set, only slots of local dates up to today (the
//   provider's date at `now`) + maxAdvanceDays are offered; a slot's date is the date of the
//   availability interval it comes from. Whole days, so bookings open one day at a time at
//   the provider's midnight. No horizon when it is absent (the service always stores one).
// - Output: sorted by start, instants as RFC 3339 strings in UTC with 'Z'
//   ('2026-03-29T01:00:00Z'), de-duplicated by start.
import { DEFAULT_MAX_ADVANCE_DAYS, MAX_ADVANCE_DAYS_LIMIT } from '@healthmatch/contracts';
import { IANAZone } from 'luxon';
import {
  MINUTE_MS,
  MINUTES_PER_DAY,
  formatLocalDate,
  isValidTimeZone,
  isoWeekdayIndex,
  localDayOf,
  parseLocalDate,
  parseWallTime,
  resolveWallTime,
  toRfc3339,
} from './zoned-time.ts';
import type { DayNumber, LocalDate, WallTime } from './zoned-time.ts';

export type { LocalDate, WallTime } from './zoned-time.ts';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** A wall-clock interval [start, end) within one day; end > start; end may be '24:00'. */
export interface WallInterval {
  readonly start: WallTime;
  readonly end: WallTime;
}

export interface WeeklyInterval extends WallInterval {
  readonly day: Weekday;
}

/** Replaces the weekly hours of `date`: closed, or these intervals instead. */
export interface DateException {
  readonly date: LocalDate;
  readonly closed?: boolean;
  readonly intervals?: readonly WallInterval[];
}

export interface Availability {
  /** IANA zone of the provider, e.g. 'Europe/Rome'. */
  readonly timeZone: string;
  readonly weekly: readonly WeeklyInterval[];
  readonly exceptions?: readonly DateException[];
  /** Minimum notice before a slot can be booked; default DEFAULT_MIN_NOTICE_MINUTES. */
  readonly minNoticeMinutes?: number;
  /**
   * Booking horizon, whole days 1..MAX_ADVANCE_DAYS: slots of local dates after today + this
   * many days are not offered (TOO_FAR). Absent: no horizon here; the service stores
   * DEFAULT_MAX_ADVANCE_DAYS when a provider gives none.
   */
  readonly maxAdvanceDays?: number;
}

/** An instant: a Date or epoch milliseconds. */
export type Instant = Date | number;

/** Time the provider is already booked, [start, end). */
export interface BusyInterval {
  readonly start: Instant;
  readonly end: Instant;
}

/** A free slot, [start, end), RFC 3339 UTC strings ('2026-03-29T01:00:00Z'). */
export interface Slot {
  readonly start: string;
  readonly end: string;
}

/** Everything a slot decision depends on, apart from the date range. */
export interface SlotContext {
  readonly availability: Availability;
  /** Offering duration = slot length and grid step, whole minutes. */
  readonly durationMinutes: number;
  readonly busy: readonly BusyInterval[];
  readonly now: Instant;
}

export interface SlotRangeQuery extends SlotContext {
  /** First local date (provider's zone), inclusive. */
  readonly from: LocalDate;
  /** Last local date (provider's zone), inclusive. */
  readonly to: LocalDate;
}

export type NotBookableReason =
  /** Not inside any availability interval, or the slot would run past the interval's end. */
  | 'OUTSIDE_AVAILABILITY'
  /** Inside availability but not on the slot grid of its interval. */
  | 'OFF_GRID'
  /** Starts before now. */
  | 'IN_PAST'
  /** Starts before now + minimum notice. */
  | 'TOO_SOON'
  /** On a local date beyond the booking horizon (today + maxAdvanceDays). */
  | 'TOO_FAR'
  /** Overlaps a busy interval. */
  | 'BUSY';

export type BookableCheck =
  | { readonly bookable: true; readonly start: string; readonly end: string }
  | { readonly bookable: false; readonly reason: NotBookableReason };

export const DEFAULT_MIN_NOTICE_MINUTES = 120;
/** Booking horizon the service stores when a provider gives none (contracts). */
export { DEFAULT_MAX_ADVANCE_DAYS };
/** Longest booking horizon, in days. */
export const MAX_ADVANCE_DAYS = MAX_ADVANCE_DAYS_LIMIT;
/** Longest date range for a slot query, counted in days with both ends included. */
export const MAX_SLOT_RANGE_DAYS = 62;
export const MAX_DURATION_MINUTES = 1_440;

// ---------------------------------------------------------------------------------------
// Errors

export type SlotErrorCode =
  | 'BOOKING_INVALID_DATE_RANGE'
  | 'BOOKING_DATE_RANGE_TOO_LONG'
  | 'BOOKING_INVALID_AVAILABILITY'
  | 'BOOKING_INVALID_SLOT_QUERY';

export interface DomainIssue {
  /** Where, e.g. 'weekly[2].end', 'to', 'durationMinutes'. */
  readonly path: string;
  readonly message: string;
}

/** A domain error as data: a stable code (becomes the problem+json `code` at the edge). */
export interface SlotError {
  readonly code: SlotErrorCode;
  readonly message: string;
  readonly issues: readonly DomainIssue[];
}

/** Thrown by computeFreeSlots / isBookableStart when given inputs they cannot work with. */
export class SlotInputError extends Error {
  readonly code: SlotErrorCode;
  readonly issues: readonly DomainIssue[];

  constructor(error: SlotError) {
    super(error.message);
    this.name = 'SlotInputError';
    this.code = error.code;
    this.issues = error.issues;
  }
}

// ---------------------------------------------------------------------------------------
// Validation

/**
 * Checks a slot query's date range: both valid 'YYYY-MM-DD', `to` >= `from`, and at most
 * `maxDays` days counting both ends. Returns null when valid.
 */
export function validateSlotRange(from: string, to: string, maxDays: number = MAX_SLOT_RANGE_DAYS): SlotError | null {
  const issues: DomainIssue[] = [];
  const fromDay = parseLocalDate(from);
  const toDay = parseLocalDate(to);
  if (fromDay === null) issues.push({ path: 'from', message: 'must be a calendar date YYYY-MM-DD' });
  if (toDay === null) issues.push({ path: 'to', message: 'must be a calendar date YYYY-MM-DD' });
  if (fromDay === null || toDay === null) {
    return { code: 'BOOKING_INVALID_DATE_RANGE', message: 'Invalid date range', issues };
  }
  if (toDay < fromDay) {
    return {
      code: 'BOOKING_INVALID_DATE_RANGE',
      message: 'Invalid date range',
      issues: [{ path: 'to', message: 'must not be before from' }],
    };
  }
  const days = toDay - fromDay + 1;
  if (days > maxDays) {
    return {
      code: 'BOOKING_DATE_RANGE_TOO_LONG',
      message: `Date range too long: ${days} days, at most ${maxDays}`,
      issues: [{ path: 'to', message: `range covers ${days} days; at most ${maxDays} allowed` }],
    };
  }
  return null;
}

interface MinuteInterval {
  readonly start: number;
  readonly end: number;
}

interface CompiledAvailability {
  readonly zone: IANAZone;
  /** Index 0 = Monday. */
  readonly weekly: readonly MinuteInterval[][];
  readonly exceptions: ReadonlyMap<DayNumber, readonly MinuteInterval[]>;
  readonly minNoticeMinutes: number;
  /** null: no booking horizon. */
  readonly maxAdvanceDays: number | null;
}

interface AvailabilityCheck {
  /** Null when a structural issue prevents computing anything. */
  readonly compiled: CompiledAvailability | null;
  /** Malformed values: computation is impossible. */
  readonly structural: DomainIssue[];
  /** Well-formed but inconsistent (overlaps, duplicate dates): computation still works. */
  readonly consistency: DomainIssue[];
}

function compileInterval(iv: WallInterval, path: string, issues: DomainIssue[]): MinuteInterval | null {
  const start = typeof iv?.start === 'string' ? parseWallTime(iv.start, false) : null;
  const end = typeof iv?.end === 'string' ? parseWallTime(iv.end, true) : null;
  if (start === null) issues.push({ path: `${path}.start`, message: 'must be HH:MM (00:00-23:59)' });
  if (end === null) issues.push({ path: `${path}.end`, message: 'must be HH:MM (00:01-24:00)' });
  if (start === null || end === null) return null;
  if (end <= start) {
    issues.push({ path: `${path}.end`, message: 'must be after start' });
    return null;
  }
  return { start, end };
}

function sortAndCheckOverlaps(intervals: MinuteInterval[], path: string, issues: DomainIssue[]): void {
  intervals.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < intervals.length; i++) {
    const prev = intervals[i - 1]!;
    const cur = intervals[i]!;
    if (cur.start < prev.end) {
      issues.push({ path, message: 'intervals overlap' });
      return;
    }
  }
}

function checkAvailability(a: Availability): AvailabilityCheck {
  const structural: DomainIssue[] = [];
  const consistency: DomainIssue[] = [];

  const zoneOk = isValidTimeZone(a?.timeZone);
  if (!zoneOk) structural.push({ path: 'timeZone', message: 'must be an IANA time zone, e.g. Europe/Rome' });

  const minNotice = a?.minNoticeMinutes ?? DEFAULT_MIN_NOTICE_MINUTES;
  const minNoticeOk = Number.isSafeInteger(minNotice) && minNotice >= 0;
  if (!minNoticeOk) structural.push({ path: 'minNoticeMinutes', message: 'must be a whole number of minutes >= 0' });

  const maxAdvance = a?.maxAdvanceDays ?? null;
  if (maxAdvance !== null && (!Number.isSafeInteger(maxAdvance) || maxAdvance < 1 || maxAdvance > MAX_ADVANCE_DAYS)) {
    structural.push({ path: 'maxAdvanceDays', message: `must be a whole number of days, 1..${MAX_ADVANCE_DAYS}` });
  } else if (maxAdvance !== null && minNoticeOk && minNotice > maxAdvance * MINUTES_PER_DAY) {
    // Every slot would be either too soon or too far.
    consistency.push({ path: 'maxAdvanceDays', message: `must leave bookable time after the minimum notice of ${minNotice} minutes` });
  }

  const weekly: MinuteInterval[][] = WEEKDAYS.map(() => []);
  if (!Array.isArray(a?.weekly)) {
    structural.push({ path: 'weekly', message: 'must be a list' });
  } else {
    a.weekly.forEach((w, i) => {
      const dayIndex = WEEKDAYS.indexOf(w?.day);
      if (dayIndex < 0) structural.push({ path: `weekly[${i}].day`, message: `must be one of ${WEEKDAYS.join(', ')}` });
      const iv = compileInterval(w, `weekly[${i}]`, structural);
      if (iv && dayIndex >= 0) weekly[dayIndex]!.push(iv);
    });
    weekly.forEach((list, i) => sortAndCheckOverlaps(list, `weekly(${WEEKDAYS[i]})`, consistency));
  }

  const exceptions = new Map<DayNumber, MinuteInterval[]>();
  const closedDays = new Set<DayNumber>();
  const exceptionList = a?.exceptions ?? [];
  if (!Array.isArray(exceptionList)) {
    structural.push({ path: 'exceptions', message: 'must be a list' });
  } else {
    exceptionList.forEach((ex, i) => {
      const path = `exceptions[${i}]`;
      const day = typeof ex?.date === 'string' ? parseLocalDate(ex.date) : null;
      if (day === null) {
        structural.push({ path: `${path}.date`, message: 'must be a calendar date YYYY-MM-DD' });
        return;
      }
      if (exceptions.has(day)) consistency.push({ path: `${path}.date`, message: 'date already has an exception' });
      const list = exceptions.get(day) ?? [];
      exceptions.set(day, list);
      const intervals = ex.intervals ?? [];
      if (!Array.isArray(intervals)) {
        structural.push({ path: `${path}.intervals`, message: 'must be a list' });
        return;
      }
      if (ex.closed === true) {
        // Closed wins, whatever else the day says.
        closedDays.add(day);
        if (intervals.length > 0) consistency.push({ path, message: 'a closed date cannot have intervals' });
        return;
      }
      intervals.forEach((iv, j) => {
        const c = compileInterval(iv, `${path}.intervals[${j}]`, structural);
        if (c) list.push(c);
      });
    });
    for (const day of closedDays) exceptions.set(day, []);
    for (const [day, list] of exceptions) sortAndCheckOverlaps(list, `exceptions(${formatLocalDate(day)})`, consistency);
  }

  const compiled =
    structural.length === 0
      ? { zone: IANAZone.create(a.timeZone), weekly, exceptions, minNoticeMinutes: minNotice, maxAdvanceDays: maxAdvance }
      : null;
  return { compiled, structural, consistency };
}

/**
 * Full validation of a provider's availability, for the write path: malformed values and
 * inconsistencies (overlapping intervals on one day, two exceptions for one date, a closed
 * date with intervals). Returns null when valid.
 *
 * The slot functions are stricter only about malformed values: they still work (and never
 * emit a start twice) on overlapping intervals, but overlapping intervals may yield
 * overlapping slots with different starts, which is why the write path rejects them.
 */
export function validateAvailability(availability: Availability): SlotError | null {
  const { structural, consistency } = checkAvailability(availability);
  const issues = [...structural, ...consistency];
  return issues.length === 0
    ? null
    : { code: 'BOOKING_INVALID_AVAILABILITY', message: 'Invalid availability', issues };
}

// ---------------------------------------------------------------------------------------
// Computation

interface Prepared {
  readonly availability: CompiledAvailability;
  readonly durationMs: number;
  readonly nowMs: number;
  /** now + minimum notice. */
  readonly earliestStartMs: number;
  /** Last local date of the booking horizon (today in the provider's zone + maxAdvanceDays); null: none. */
  readonly lastDay: DayNumber | null;
  /** Non-empty busy intervals as epoch ms, in input order. */
  readonly busy: ReadonlyArray<readonly [number, number]>;
}

function instantMs(value: Instant): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : Number.NaN;
}

function prepare(ctx: SlotContext): Prepared {
  const check = checkAvailability(ctx.availability);
  if (!check.compiled) {
    throw new SlotInputError({
      code: 'BOOKING_INVALID_AVAILABILITY',
      message: 'Invalid availability',
      issues: check.structural,
    });
  }
  const issues: DomainIssue[] = [];
  const duration = ctx.durationMinutes;
  if (!Number.isSafeInteger(duration) || duration < 1 || duration > MAX_DURATION_MINUTES) {
    issues.push({ path: 'durationMinutes', message: `must be a whole number of minutes, 1..${MAX_DURATION_MINUTES}` });
  }
  const nowMs = instantMs(ctx.now);
  if (!Number.isFinite(nowMs)) issues.push({ path: 'now', message: 'must be a valid instant' });
  const busy: Array<readonly [number, number]> = [];
  if (!Array.isArray(ctx.busy)) {
    issues.push({ path: 'busy', message: 'must be a list' });
  } else {
    ctx.busy.forEach((b, i) => {
      const s = instantMs(b?.start);
      const e = instantMs(b?.end);
      if (!Number.isFinite(s) || !Number.isFinite(e)) {
        issues.push({ path: `busy[${i}]`, message: 'start and end must be valid instants' });
      } else if (e > s) {
        busy.push([s, e]); // An empty interval blocks nothing.
      }
    });
  }
  if (issues.length > 0) {
    throw new SlotInputError({ code: 'BOOKING_INVALID_SLOT_QUERY', message: 'Invalid slot query', issues });
  }
  const { maxAdvanceDays } = check.compiled;
  return {
    availability: check.compiled,
    durationMs: duration * MINUTE_MS,
    nowMs,
    earliestStartMs: nowMs + check.compiled.minNoticeMinutes * MINUTE_MS,
    lastDay: maxAdvanceDays === null ? null : localDayOf(check.compiled.zone, nowMs) + maxAdvanceDays,
    busy,
  };
}

/** The real intervals [start, end) (epoch ms) of local date `day`, in order, possibly empty ones. */
function realIntervalsOn(a: CompiledAvailability, day: DayNumber): Array<readonly [number, number]> {
  const wall = a.exceptions.get(day) ?? a.weekly[isoWeekdayIndex(day)] ?? [];
  return wall.map((iv) => [resolveWallTime(a.zone, day, iv.start), resolveWallTime(a.zone, day, iv.end)] as const);
}

/** Sorted, merged copy of the busy intervals. */
function mergeBusy(busy: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = [...busy].sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/**
 * Free slots of local dates `from`..`to` (inclusive, provider's zone), sorted by start.
 * A slot belongs to the date of the availability interval it comes from.
 * Throws SlotInputError on an invalid range, malformed availability, a bad duration or
 * bad instants.
 */
export function computeFreeSlots(query: SlotRangeQuery): Slot[] {
  const rangeError = validateSlotRange(query.from, query.to);
  if (rangeError) throw new SlotInputError(rangeError);
  const p = prepare(query);
  const fromDay = parseLocalDate(query.from)!;
  const toDay = parseLocalDate(query.to)!;
  // Dates beyond the booking horizon offer nothing.
  const lastDay = p.lastDay === null ? toDay : Math.min(toDay, p.lastDay);

  const starts: number[] = [];
  for (let day = fromDay; day <= lastDay; day++) {
    for (const [ivStart, ivEnd] of realIntervalsOn(p.availability, day)) {
      for (let t = ivStart; t + p.durationMs <= ivEnd; t += p.durationMs) {
        if (t >= p.earliestStartMs) starts.push(t);
      }
    }
  }
  starts.sort((x, y) => x - y);

  // One sweep over sorted starts and merged busy intervals. All slots have the same length,
  // so their ends are sorted too and a busy interval ending at or before a slot's start can
  // be skipped for every later slot.
  const busy = mergeBusy(p.busy);
  const slots: Slot[] = [];
  let b = 0;
  let previous = Number.NaN;
  for (const start of starts) {
    if (start === previous) continue; // overlapping input intervals
    previous = start;
    const end = start + p.durationMs;
    while (b < busy.length && busy[b]![1] <= start) b++;
    const blocker = busy[b];
    if (blocker && blocker[0] < end) continue;
    slots.push({ start: toRfc3339(start), end: toRfc3339(end) });
  }
  return slots;
}

/**
 * Whether `start` is exactly the start of one of the provider's free slots: on the grid of
 * an availability interval with the whole slot inside it, not before now + minimum notice,
 * not overlapping a busy interval. Looks only at the local dates around `start` (the day
 * before and after too, since around a transition at midnight an interval can cover
 * instants whose local date is a neighbour), never at a whole range.
 * Returns the slot (start and end, RFC 3339 UTC) when bookable, otherwise the first reason
 * in the order OUTSIDE_AVAILABILITY / OFF_GRID, IN_PAST, TOO_SOON, TOO_FAR, BUSY. TOO_FAR:
 * the date of the interval the slot comes from is after the booking horizon's last date
 * (the same rule as computeFreeSlots, so a start is bookable exactly when it is listed).
 */
export function isBookableStart(ctx: SlotContext, start: Instant): BookableCheck {
  const p = prepare(ctx);
  const t = instantMs(start);
  if (!Number.isFinite(t)) {
    throw new SlotInputError({
      code: 'BOOKING_INVALID_SLOT_QUERY',
      message: 'Invalid slot query',
      issues: [{ path: 'start', message: 'must be a valid instant' }],
    });
  }

  const day = localDayOf(p.availability.zone, t);
  let inside = false; // within some interval
  let aligned = false; // on the grid of an interval containing it
  let fits = false; // ... and the whole slot fits in that interval
  let fitDay = Number.POSITIVE_INFINITY; // earliest local date of an interval it fits in
  for (const d of [day - 1, day, day + 1]) {
    for (const [ivStart, ivEnd] of realIntervalsOn(p.availability, d)) {
      if (t < ivStart || t >= ivEnd) continue;
      inside = true;
      if ((t - ivStart) % p.durationMs !== 0) continue;
      aligned = true;
      if (t + p.durationMs <= ivEnd) {
        fits = true;
        fitDay = Math.min(fitDay, d);
      }
    }
  }
  // An aligned start whose slot would run past the interval's end (the dropped last partial
  // slot) is OUTSIDE_AVAILABILITY, not OFF_GRID: the start itself is on the grid.
  if (!fits) return { bookable: false, reason: inside && !aligned ? 'OFF_GRID' : 'OUTSIDE_AVAILABILITY' };
  if (t < p.nowMs) return { bookable: false, reason: 'IN_PAST' };
  if (t < p.earliestStartMs) return { bookable: false, reason: 'TOO_SOON' };
  if (p.lastDay !== null && fitDay > p.lastDay) return { bookable: false, reason: 'TOO_FAR' };
  const end = t + p.durationMs;
  if (p.busy.some(([s, e]) => s < end && t < e)) return { bookable: false, reason: 'BUSY' };
  return { bookable: true, start: toRfc3339(t), end: toRfc3339(end) };
}

/** The local date (provider's zone) of an instant, e.g. to pick the day of a booking. */
export function localDateOf(timeZone: string, instant: Instant): LocalDate {
  if (!isValidTimeZone(timeZone)) {
    throw new SlotInputError({
      code: 'BOOKING_INVALID_AVAILABILITY',
      message: 'Invalid availability',
      issues: [{ path: 'timeZone', message: 'must be an IANA time zone, e.g. Europe/Rome' }],
    });
  }
  const ms = instantMs(instant);
  if (!Number.isFinite(ms)) {
    throw new SlotInputError({
      code: 'BOOKING_INVALID_SLOT_QUERY',
      message: 'Invalid slot query',
      issues: [{ path: 'instant', message: 'must be a valid instant' }],
    });
  }
  return formatLocalDate(localDayOf(IANAZone.create(timeZone), ms));
}

// Re-exported so callers (routes, agenda) format instants the same way.
export { toRfc3339 } from './zoned-time.ts';
