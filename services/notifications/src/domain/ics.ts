// The calendar invite (RFC 5545) attached to the patient's messages.
//
// Times go in the provider's zone (DTSTART;TZID=Europe/Rome:...) so calendars show the
// appointment where it happens, with a VTIMEZONE built from the tz database luxon reads.
// The VTIMEZONE lists every real transition around the event explicitly (one observance
// per transition, no RRULE): deriving recurrence rules from observed transitions is
// guesswork, while explicit onsets are exact for whatever the zone did in those years.
//
// Everything that comes from users (service name, names, address) is escaped as TEXT or
// quoted as a parameter, and control characters never survive: a line break in a value
// must not be able to start a property of its own.
import { DateTime, IANAZone } from 'luxon';
import type { MailAddress } from './messages.ts';
import { parseMailAddress } from './addresses.ts';

export interface CalendarInput {
  readonly method: 'REQUEST' | 'CANCEL';
  readonly uid: string;
  readonly sequence: number;
  /** DTSTAMP: when the invite was composed. */
  readonly stamp: Date;
  readonly start: Date;
  readonly end: Date;
  /** IANA zone in which DTSTART/DTEND are written. */
  readonly timeZone: string;
  readonly summary: string;
  readonly description?: string;
  readonly location?: string;
  readonly organizer: MailAddress;
  readonly attendee: MailAddress;
}

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export function buildCalendar(input: CalendarInput): string {
  if (!IANAZone.isValidZone(input.timeZone)) throw new Error(`unknown time zone: ${input.timeZone}`);
  for (const [label, d] of [['stamp', input.stamp], ['start', input.start], ['end', input.end]] as const) {
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new Error(`calendar ${label} is not a valid date`);
  }
  if (input.end.getTime() < input.start.getTime()) throw new Error('calendar end is before start');
  if (!Number.isInteger(input.sequence) || input.sequence < 0) throw new Error('calendar sequence must be a non-negative integer');
  const zone = IANAZone.create(input.timeZone);
  const tzid = input.timeZone;

  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'PRODID:-//HealthMatch//Notifications//EN',
    'VERSION:2.0',
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    ...buildTimeZone(zone, tzid, input.start, input.end),
    'BEGIN:VEVENT',
    `UID:${escapeText(input.uid)}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTAMP:${formatUtc(input.stamp)}`,
    dateTimeProperty('DTSTART', zone, tzid, input.start),
    dateTimeProperty('DTEND', zone, tzid, input.end),
    `SUMMARY:${escapeText(input.summary)}`,
  ];
  if (input.description !== undefined && input.description !== '') lines.push(`DESCRIPTION:${escapeText(input.description)}`);
  if (input.location !== undefined && input.location !== '') lines.push(`LOCATION:${escapeText(input.location)}`);
  lines.push(
    `ORGANIZER${cnParam(input.organizer)}:${mailto(input.organizer, 'organizer')}`,
    `ATTENDEE${cnParam(input.attendee)};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:${mailto(input.attendee, 'attendee')}`,
    `STATUS:${input.method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED'}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
    'END:VCALENDAR',
  );
  return lines.map(foldLine).join(CRLF) + CRLF;
}

// --- values ---------------------------------------------------------------------------

// Control characters other than line breaks have no business in a calendar value (HTAB is
// allowed by the grammar but shows up as garbage in most clients).
const STRIP_CONTROLS_RE = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;

/** TEXT value escaping (RFC 5545 3.3.11); every kind of line break becomes the two characters "\n". */
export function escapeText(value: string): string {
  return value
    .replace(STRIP_CONTROLS_RE, '')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, '\\n');
}

/**
 * ;CN="..." or nothing. Parameter values cannot be escaped (RFC 5545 3.2), so DQUOTE and
 * control characters are dropped; the quotes make ';', ':' and ',' harmless.
 */
function cnParam(who: MailAddress): string {
  if (who.name === undefined) return '';
  const cn = who.name
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/gu, ' ')
    .replace(/"/g, '')
    .replace(/\s+/gu, ' ')
    .trim();
  return cn === '' ? '' : `;CN="${cn}"`;
}

function mailto(who: MailAddress, label: string): string {
  const address = parseMailAddress(who.address);
  if (address === null) throw new Error(`calendar ${label} is not a valid mail address`);
  return `mailto:${address}`;
}

// --- dates ------------------------------------------------------------------------------

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** YYYYMMDDTHHMMSS of the clock reading `wallMs` (epoch ms of the wall time as if it were UTC). */
function formatWall(wallMs: number): string {
  const d = new Date(wallMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`
  );
}

function formatUtc(d: Date): string {
  return `${formatWall(Math.floor(d.getTime() / 1000) * 1000)}Z`;
}

function offsetMinutes(zone: IANAZone, ms: number): number {
  return zone.offset(ms);
}

/**
 * DTSTART/DTEND in the zone's wall clock. A wall time that happens twice (clocks falling
 * back) is written in UTC instead: RFC 5545 3.3.5 says it means the first occurrence, but
 * clients disagree (ical.js takes the second), and UTC is read the same way by all of them.
 */
function dateTimeProperty(name: string, zone: IANAZone, tzid: string, at: Date): string {
  const ms = Math.floor(at.getTime() / 1000) * 1000;
  const wall = ms + offsetMinutes(zone, ms) * MINUTE_MS;
  if (instantsOfWall(zone, wall).length !== 1) return `${name}:${formatUtc(at)}`;
  return `${name};TZID=${tzid}:${formatWall(wall)}`;
}

/** The instants whose wall clock reading in `zone` is `wall` (two when it is repeated). */
function instantsOfWall(zone: IANAZone, wall: number): number[] {
  const candidates = [offsetMinutes(zone, wall - DAY_MS), offsetMinutes(zone, wall + DAY_MS), offsetMinutes(zone, wall)]
    .map((off) => wall - off * MINUTE_MS)
    .filter((t) => t + offsetMinutes(zone, t) * MINUTE_MS === wall);
  return [...new Set(candidates)];
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

interface Transition {
  /** First instant with the new offset. */
  at: number;
  from: number;
  to: number;
}

/** Every offset change of `zone` in [fromMs, toMs), to the millisecond. */
function transitions(zone: IANAZone, fromMs: number, toMs: number): Transition[] {
  const found: Transition[] = [];
  // Probes every 6 hours: no zone in the tz database changes its offset twice that quickly,
  // and each change found is then pinned down by bisection.
  const step = DAY_MS / 4;
  let prevMs = fromMs;
  let prevOffset = offsetMinutes(zone, prevMs);
  for (let t = fromMs + step; t <= toMs; t += step) {
    const off = offsetMinutes(zone, t);
    if (off !== prevOffset) {
      let lo = prevMs;
      let hi = t;
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (offsetMinutes(zone, mid) === prevOffset) lo = mid;
        else hi = mid;
      }
      found.push({ at: hi, from: prevOffset, to: off });
    }
    prevMs = t;
    prevOffset = off;
  }
  return found;
}

function isDaylight(zone: IANAZone, ms: number): boolean {
  return DateTime.fromMillis(ms, { zone }).isInDST;
}

/**
 * The usual abbreviation of the zone at `ms` (CET, CEST, EST, BST, UTC), or a GMT offset
 * (GMT+5:30) when the zone has none. CLDR knows each abbreviation only in some English
 * locales (EST in en-US, CET and BST in en-GB), hence the two lookups.
 */
export function zoneAbbreviation(timeZone: string, ms: number): string {
  const zone = IANAZone.create(timeZone);
  let fallback = '';
  for (const locale of ['en-US', 'en-GB']) {
    const name = zone.offsetName(ms, { format: 'short', locale }) ?? '';
    if (name !== '' && !/^GMT[+-]/.test(name)) return name;
    if (fallback === '') fallback = name;
  }
  return fallback !== '' ? fallback : timeZone;
}

function zoneName(zone: IANAZone, ms: number): string {
  return zoneAbbreviation(zone.name, ms);
}

/**
 * VTIMEZONE covering from 1 January of the year before the event to 1 January two years
 * after it (so the whole year before and the whole year after). The first observance states
 * the offset in force at the start of that window; each real transition inside it follows.
 */
function buildTimeZone(zone: IANAZone, tzid: string, start: Date, end: Date): string[] {
  const windowStart = Date.UTC(new Date(start.getTime()).getUTCFullYear() - 1, 0, 1);
  const windowEnd = Date.UTC(new Date(end.getTime()).getUTCFullYear() + 2, 0, 1);
  const changes = transitions(zone, windowStart, windowEnd);
  const initialOffset = offsetMinutes(zone, windowStart);

  const observance = (kind: 'STANDARD' | 'DAYLIGHT', onsetWall: number, from: number, to: number, name: string | null): string[] => [
    `BEGIN:${kind}`,
    `DTSTART:${formatWall(onsetWall)}`,
    `TZOFFSETFROM:${formatOffset(from)}`,
    `TZOFFSETTO:${formatOffset(to)}`,
    ...(name ? [`TZNAME:${escapeText(name)}`] : []),
    `END:${kind}`,
  ];

  const lines = ['BEGIN:VTIMEZONE', `TZID:${tzid}`];
  // A zone without transitions in the window (UTC, Asia/Tokyo...) is a single STANDARD.
  const initialKind = changes.length > 0 && isDaylight(zone, windowStart) ? 'DAYLIGHT' : 'STANDARD';
  lines.push(
    ...observance(initialKind, windowStart + initialOffset * MINUTE_MS, initialOffset, initialOffset, zoneName(zone, windowStart)),
  );
  for (const c of changes) {
    // The onset is written in the local time in force just before it (TZOFFSETFROM).
    lines.push(...observance(isDaylight(zone, c.at) ? 'DAYLIGHT' : 'STANDARD', c.at + c.from * MINUTE_MS, c.from, c.to, zoneName(zone, c.at)));
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

// --- folding ----------------------------------------------------------------------------

/**
 * Folds a content line at 75 octets of UTF-8 (RFC 5545 3.1): continuation lines start with
 * one space, which counts towards their 75. Cuts fall between code points, so a multi-byte
 * character (or a surrogate pair) is never split.
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line, 'utf8') <= MAX_LINE_OCTETS) return line;
  const out: string[] = [];
  let current = '';
  let currentBytes = 0;
  for (const ch of line) {
    const bytes = Buffer.byteLength(ch, 'utf8');
    if (currentBytes + bytes > MAX_LINE_OCTETS) {
      out.push(current);
      current = ' ';
      currentBytes = 1;
    }
    current += ch;
    currentBytes += bytes;
  }
  out.push(current);
  return out.join(CRLF);
}
