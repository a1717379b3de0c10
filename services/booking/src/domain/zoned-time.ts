// Pure helpers that turn a provider's wall-clock time (IANA zone) into real instants.
//
// Why not DateTime.fromObject from luxon: for an ambiguous wall time (the repeated hour
// when clocks fall back) luxon picks the occurrence from a guess based on the *current*
// offset of the zone, i.e. on the hidden system clock. Here the resolution depends only on
// the zone rules, so the same inputs always give the same instants (see
// docs/adr/0005-slots-across-dst.md). Luxon is used only for its zone rules (offset lookup).
import { IANAZone } from 'luxon';

/** A calendar date 'YYYY-MM-DD' in the provider's zone. */
export type LocalDate = string;
/** A wall-clock time 'HH:MM' (24-hour); '24:00' is accepted as the end of a day. */
export type WallTime = string;

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
export const MINUTES_PER_DAY = 1_440;

const LOCAL_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const WALL_TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * A local date as a whole number of days since 1970-01-01 (calendar arithmetic only, no zone).
 * Years are limited to 1970..9999 so that `Date.UTC` never reinterprets two-digit years and
 * the result is a plain integer.
 */
export type DayNumber = number;

export function parseLocalDate(value: string): DayNumber | null {
  const m = LOCAL_DATE_RE.exec(value);
  if (!m) return null;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1970) return null;
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  // Rejects 2026-02-30, 2026-13-01 and the like (Date.UTC would silently roll over).
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export function formatLocalDate(day: DayNumber): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Monday ... 6 = Sunday (ISO order). 1970-01-01 was a Thursday. */
export function isoWeekdayIndex(day: DayNumber): number {
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * Minutes since local midnight, or null when malformed. '24:00' is accepted only when
 * `allowEndOfDay` is set (it is meaningful as the end of an interval, never as a start).
 */
export function parseWallTime(value: string, allowEndOfDay: boolean): number | null {
  if (value === '24:00') return allowEndOfDay ? MINUTES_PER_DAY : null;
  const m = WALL_TIME_RE.exec(value);
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isValidTimeZone(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && IANAZone.isValidZone(name);
}

/** Offset of `zone` from UTC at instant `ms`, in milliseconds. */
function offsetMs(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * MINUTE_MS;
}

/** The wall clock reading (as if it were UTC) of instant `ms` in `zone`. */
function wallReading(zone: IANAZone, ms: number): number {
  return ms + offsetMs(zone, ms);
}

/** Local calendar date (in `zone`) of the instant `ms`. */
export function localDayOf(zone: IANAZone, ms: number): DayNumber {
  return Math.floor(wallReading(zone, ms) / DAY_MS);
}

/**
 * Resolves the wall-clock time `minuteOfDay` (0..1440) of local date `day` in `zone` to a
 * real instant (epoch ms) with one rule that covers every case:
 *
 *   the first instant at which the provider's clock shows that wall time or a later one.
 *
 * - ordinary time: its only instant;
 * - ambiguous time (clocks fall back, the hour happens twice): the first occurrence;
 * - non-existent time (clocks spring forward, the time is skipped): the instant of the
 *   transition, i.e. the first real instant after the gap (02:30 in Europe/Rome on
 *   2026-03-29 -> 03:00 CEST = 01:00Z).
 *
 * The mapping is monotonic (a later wall time never resolves to an earlier instant), so
 * wall-clock intervals that do not overlap give real intervals that do not overlap, and
 * 24:00 of one day resolves to the same instant as 00:00 of the next: nothing is emitted
 * twice and no real time between two adjacent intervals is lost.
 */
export function resolveWallTime(zone: IANAZone, day: DayNumber, minuteOfDay: number): number {
  const wall = day * DAY_MS + minuteOfDay * MINUTE_MS;
  // Offsets in force well before and well after: at most one transition is assumed within
  // a day either side, which holds for every zone in the tz database (same approach as the
  // Temporal polyfill's "possible instants" lookup).
  const before = offsetMs(zone, wall - DAY_MS);
  const after = offsetMs(zone, wall + DAY_MS);
  const candidates = [wall - before, wall - after].filter((t) => wallReading(zone, t) === wall);
  if (candidates.length > 0) return Math.min(...candidates);

  // The wall time falls in a spring-forward gap: find the transition instant, the first
  // instant whose reading is at or after `wall`. Readings just before it are < wall and
  // just after it are > wall, so a binary search on the predicate is exact.
  let lo = wall - after; // reads wall - (after - before) < wall
  let hi = wall - before; // reads wall + (after - before) > wall
  if (!(wallReading(zone, lo) < wall && wallReading(zone, hi) >= wall)) {
    // Not the shape of a single gap (never seen in tz data); fall back to the later offset.
    return wall - after;
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallReading(zone, mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * RFC 3339 in UTC with 'Z', second precision unless the instant has milliseconds:
 * 2026-03-29T01:00:00Z. Strings of this one shape sort in time order.
 */
export function toRfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}
