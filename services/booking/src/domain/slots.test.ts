import { describe, it, expect } from 'vitest';
import {
  DEFAULT_MAX_ADVANCE_DAYS,
  DEFAULT_MIN_NOTICE_MINUTES,
  MAX_ADVANCE_DAYS,
  MAX_SLOT_RANGE_DAYS,
  SlotInputError,
  computeFreeSlots,
  isBookableStart,
  localDateOf,
  validateAvailability,
  validateSlotRange,
} from './slots.ts';
import type { Availability, BusyInterval, DateException, Slot, SlotContext, WeeklyInterval } from './slots.ts';

// ---------------------------------------------------------------------------------------
// Helpers

const ms = (iso: string): number => Date.parse(iso);
const LONG_AGO = ms('2025-01-01T00:00:00Z');

function availability(
  timeZone: string,
  weekly: WeeklyInterval[],
  exceptions: DateException[] = [],
  minNoticeMinutes = 0,
): Availability {
  return { timeZone, weekly, exceptions, minNoticeMinutes };
}

function slots(
  avail: Availability,
  from: string,
  to: string,
  opts: { duration?: number; busy?: BusyInterval[]; now?: Date | number } = {},
): Slot[] {
  return computeFreeSlots({
    availability: avail,
    durationMinutes: opts.duration ?? 60,
    busy: opts.busy ?? [],
    now: opts.now ?? LONG_AGO,
    from,
    to,
  });
}

const starts = (list: Slot[]): string[] => list.map((s) => s.start);

/** Sorted strictly ascending: no instant twice. */
function expectStrictlyAscending(list: Slot[]): void {
  const values = list.map((s) => ms(s.start));
  expect(new Set(values).size).toBe(values.length);
  for (let i = 1; i < values.length; i++) expect(values[i]!).toBeGreaterThan(values[i - 1]!);
}

/** Every slot ends where the next begins: no real time is missing. */
function expectContiguous(list: Slot[]): void {
  for (let i = 1; i < list.length; i++) expect(list[i]!.start).toBe(list[i - 1]!.end);
}

const ALL_DAY: WeeklyInterval[] = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({
  day,
  start: '00:00',
  end: '24:00',
}));

// 2026-03-02 is a Monday; Rome is on CET (+01:00) then.
const ROME = 'Europe/Rome';

// ---------------------------------------------------------------------------------------

describe('validateSlotRange', () => {
  it('accepts a single day and exactly 62 days (both ends included)', () => {
    expect(validateSlotRange('2026-03-02', '2026-03-02')).toBeNull();
    expect(MAX_SLOT_RANGE_DAYS).toBe(62);
    expect(validateSlotRange('2026-01-01', '2026-03-03')).toBeNull(); // 31 + 28 + 3 = 62
  });

  it('rejects to before from', () => {
    const err = validateSlotRange('2026-03-10', '2026-03-09');
    expect(err?.code).toBe('BOOKING_INVALID_DATE_RANGE');
    expect(err?.issues).toEqual([{ path: 'to', message: 'must not be before from' }]);
  });

  it('rejects more than 62 days', () => {
    const err = validateSlotRange('2026-01-01', '2026-03-04'); // 63 days
    expect(err?.code).toBe('BOOKING_DATE_RANGE_TOO_LONG');
    expect(err?.issues[0]?.path).toBe('to');
  });

  it('honours a custom maximum', () => {
    expect(validateSlotRange('2026-03-01', '2026-03-07', 7)).toBeNull();
    expect(validateSlotRange('2026-03-01', '2026-03-08', 7)?.code).toBe('BOOKING_DATE_RANGE_TOO_LONG');
  });

  it('rejects malformed and impossible dates, naming each bad field', () => {
    const err = validateSlotRange('2026-02-30', '2026/03/01');
    expect(err?.code).toBe('BOOKING_INVALID_DATE_RANGE');
    expect(err?.issues.map((i) => i.path)).toEqual(['from', 'to']);
  });

  it('makes computeFreeSlots throw a SlotInputError carrying the same code', () => {
    const avail = availability(ROME, ALL_DAY);
    expect(() => slots(avail, '2026-03-10', '2026-03-09')).toThrow(SlotInputError);
    try {
      slots(avail, '2026-01-01', '2026-03-04');
      expect.unreachable();
    } catch (e) {
      expect((e as SlotInputError).code).toBe('BOOKING_DATE_RANGE_TOO_LONG');
    }
  });
});

describe('validateAvailability', () => {
  it('accepts a well-formed availability, with 24:00 as an end', () => {
    expect(
      validateAvailability(
        availability(ROME, [
          { day: 'mon', start: '09:00', end: '12:00' },
          { day: 'mon', start: '12:00', end: '24:00' },
        ], [{ date: '2026-03-09', closed: true }, { date: '2026-03-10', intervals: [{ start: '10:00', end: '11:00' }] }]),
      ),
    ).toBeNull();
  });

  it('reports every malformed value with its path', () => {
    const err = validateAvailability({
      timeZone: 'Mars/Olympus_Mons',
      weekly: [
        { day: 'mon', start: '9:00', end: '12:00' },
        { day: 'funday' as 'mon', start: '09:00', end: '10:00' },
        { day: 'tue', start: '12:00', end: '11:00' },
        { day: 'wed', start: '24:00', end: '24:00' },
      ],
      exceptions: [{ date: '2026-02-30', closed: true }],
      minNoticeMinutes: -5,
    });
    expect(err?.code).toBe('BOOKING_INVALID_AVAILABILITY');
    expect(err?.issues.map((i) => i.path)).toEqual([
      'timeZone',
      'minNoticeMinutes',
      'weekly[0].start',
      'weekly[1].day',
      'weekly[2].end',
      'weekly[3].start',
      'exceptions[0].date',
    ]);
  });

  it('reports overlapping intervals, duplicate exception dates and closed dates with hours', () => {
    const err = validateAvailability(
      availability(ROME, [
        { day: 'mon', start: '09:00', end: '12:00' },
        { day: 'mon', start: '11:00', end: '13:00' },
      ], [
        { date: '2026-03-09', closed: true, intervals: [{ start: '09:00', end: '10:00' }] },
        { date: '2026-03-10', intervals: [{ start: '09:00', end: '10:00' }] },
        { date: '2026-03-10', intervals: [{ start: '15:00', end: '16:00' }] },
      ]),
    );
    expect(err?.issues.map((i) => i.path)).toEqual(['weekly(mon)', 'exceptions[0]', 'exceptions[2].date']);
  });

  it('computeFreeSlots refuses malformed availability but tolerates overlaps without duplicate starts', () => {
    expect(() => slots(availability('Not/AZone', ALL_DAY), '2026-03-02', '2026-03-02')).toThrow(SlotInputError);
    const overlapping = availability(ROME, [
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'mon', start: '10:00', end: '11:00' },
      { day: 'mon', start: '09:00', end: '12:00' },
    ]);
    const result = slots(overlapping, '2026-03-02', '2026-03-02');
    expect(starts(result)).toEqual(['2026-03-02T08:00:00Z', '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z']);
  });

  it('rejects a bad duration, now or busy instant', () => {
    const avail = availability(ROME, ALL_DAY);
    for (const duration of [0, -30, 12.5, 1441, Number.NaN]) {
      expect(() => slots(avail, '2026-03-02', '2026-03-02', { duration }), String(duration)).toThrow(SlotInputError);
    }
    expect(() => slots(avail, '2026-03-02', '2026-03-02', { now: new Date('nope') })).toThrow(SlotInputError);
    expect(() =>
      slots(avail, '2026-03-02', '2026-03-02', { busy: [{ start: new Date('nope'), end: 0 }] }),
    ).toThrow(SlotInputError);
  });
});

describe('computeFreeSlots: grid and weekly hours', () => {
  it('steps by the duration from the start of each interval, around a break', () => {
    const avail = availability(ROME, [
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'mon', start: '14:00', end: '16:00' },
    ]);
    expect(slots(avail, '2026-03-02', '2026-03-02')).toEqual([
      { start: '2026-03-02T08:00:00Z', end: '2026-03-02T09:00:00Z' },
      { start: '2026-03-02T09:00:00Z', end: '2026-03-02T10:00:00Z' },
      { start: '2026-03-02T10:00:00Z', end: '2026-03-02T11:00:00Z' },
      { start: '2026-03-02T13:00:00Z', end: '2026-03-02T14:00:00Z' },
      { start: '2026-03-02T14:00:00Z', end: '2026-03-02T15:00:00Z' },
    ]);
  });

  it('aligns to each interval\'s own start, not to the hour', () => {
    const avail = availability(ROME, [
      { day: 'mon', start: '09:15', end: '10:45' },
      { day: 'mon', start: '11:10', end: '12:10' },
    ]);
    expect(starts(slots(avail, '2026-03-02', '2026-03-02', { duration: 30 }))).toEqual([
      '2026-03-02T08:15:00Z',
      '2026-03-02T08:45:00Z',
      '2026-03-02T09:15:00Z',
      '2026-03-02T10:10:00Z',
      '2026-03-02T10:40:00Z',
    ]);
  });

  it('drops the last partial slot when the duration does not divide the interval', () => {
    const avail = availability(ROME, [{ day: 'mon', start: '09:00', end: '11:00' }]);
    // 45-minute grid: 09:00, 09:45; 10:30 would end at 11:15, past the interval.
    expect(slots(avail, '2026-03-02', '2026-03-02', { duration: 45 })).toEqual([
      { start: '2026-03-02T08:00:00Z', end: '2026-03-02T08:45:00Z' },
      { start: '2026-03-02T08:45:00Z', end: '2026-03-02T09:30:00Z' },
    ]);
    // An interval shorter than the duration has no slot at all.
    expect(slots(avail, '2026-03-02', '2026-03-02', { duration: 150 })).toEqual([]);
  });

  it('uses 24:00 as the end of the day', () => {
    const avail = availability(ROME, [{ day: 'mon', start: '22:00', end: '24:00' }]);
    expect(slots(avail, '2026-03-02', '2026-03-02')).toEqual([
      { start: '2026-03-02T21:00:00Z', end: '2026-03-02T22:00:00Z' },
      { start: '2026-03-02T22:00:00Z', end: '2026-03-02T23:00:00Z' },
    ]);
  });

  it('applies weekly hours by weekday over a range, days without hours give nothing, result sorted', () => {
    const avail = availability(ROME, [
      { day: 'wed', start: '10:00', end: '11:00' },
      { day: 'mon', start: '09:00', end: '10:00' },
    ]);
    expect(starts(slots(avail, '2026-03-02', '2026-03-11'))).toEqual([
      '2026-03-02T08:00:00Z', // Mon
      '2026-03-04T09:00:00Z', // Wed
      '2026-03-09T08:00:00Z', // Mon
      '2026-03-11T09:00:00Z', // Wed
    ]);
  });

  it('treats from/to as dates in the provider zone', () => {
    // Monday 00:00-01:00 in Rome is Sunday 23:00Z: it belongs to Monday's range.
    const avail = availability(ROME, [{ day: 'mon', start: '00:00', end: '01:00' }]);
    expect(starts(slots(avail, '2026-03-02', '2026-03-02'))).toEqual(['2026-03-01T23:00:00Z']);
    expect(slots(avail, '2026-03-01', '2026-03-01')).toEqual([]);
  });

  it('handles a zone with a half-hour offset (Asia/Kolkata, +05:30)', () => {
    const avail = availability('Asia/Kolkata', [
      { day: 'mon', start: '09:00', end: '12:00' },
      { day: 'mon', start: '13:00', end: '13:45' },
    ]);
    expect(slots(avail, '2026-03-02', '2026-03-02', { duration: 30 })).toEqual([
      { start: '2026-03-02T03:30:00Z', end: '2026-03-02T04:00:00Z' },
      { start: '2026-03-02T04:00:00Z', end: '2026-03-02T04:30:00Z' },
      { start: '2026-03-02T04:30:00Z', end: '2026-03-02T05:00:00Z' },
      { start: '2026-03-02T05:00:00Z', end: '2026-03-02T05:30:00Z' },
      { start: '2026-03-02T05:30:00Z', end: '2026-03-02T06:00:00Z' },
      { start: '2026-03-02T06:00:00Z', end: '2026-03-02T06:30:00Z' },
      { start: '2026-03-02T07:30:00Z', end: '2026-03-02T08:00:00Z' },
    ]);
  });

  it('a Kolkata Monday starts on Sunday in UTC', () => {
    const avail = availability('Asia/Kolkata', [{ day: 'mon', start: '00:00', end: '01:00' }]);
    expect(starts(slots(avail, '2026-03-02', '2026-03-02'))).toEqual(['2026-03-01T18:30:00Z']);
  });
});

describe('computeFreeSlots: exceptions', () => {
  const weekly: WeeklyInterval[] = [{ day: 'mon', start: '09:00', end: '11:00' }];

  it('a closed date has no slots, other dates keep their weekly hours', () => {
    const avail = availability(ROME, weekly, [{ date: '2026-03-09', closed: true }]);
    expect(starts(slots(avail, '2026-03-02', '2026-03-16'))).toEqual([
      '2026-03-02T08:00:00Z',
      '2026-03-02T09:00:00Z',
      '2026-03-16T08:00:00Z',
      '2026-03-16T09:00:00Z',
    ]);
  });

  it('other hours replace the weekly hours of that date (not added to them)', () => {
    const avail = availability(ROME, weekly, [
      { date: '2026-03-09', intervals: [{ start: '15:00', end: '16:00' }, { start: '17:00', end: '18:00' }] },
    ]);
    expect(starts(slots(avail, '2026-03-09', '2026-03-09'))).toEqual(['2026-03-09T14:00:00Z', '2026-03-09T16:00:00Z']);
  });

  it('an exception can open a day that has no weekly hours', () => {
    const avail = availability(ROME, weekly, [{ date: '2026-03-07', intervals: [{ start: '10:00', end: '11:00' }] }]);
    expect(starts(slots(avail, '2026-03-07', '2026-03-07'))).toEqual(['2026-03-07T09:00:00Z']);
  });

  it('an exception with no intervals closes the day; closed wins over intervals', () => {
    const avail = availability(ROME, weekly, [
      { date: '2026-03-02' },
      { date: '2026-03-09', closed: true, intervals: [{ start: '15:00', end: '16:00' }] },
      { date: '2026-03-16', intervals: [] },
    ]);
    expect(slots(avail, '2026-03-02', '2026-03-16')).toEqual([]);
  });

  it('exceptions outside the range are ignored', () => {
    const avail = availability(ROME, weekly, [{ date: '2026-04-06', closed: true }]);
    expect(slots(avail, '2026-03-02', '2026-03-02')).toHaveLength(2);
  });
});

describe('computeFreeSlots: now and minimum notice', () => {
  const avail = (minNoticeMinutes?: number): Availability => ({
    timeZone: ROME,
    weekly: [{ day: 'mon', start: '09:00', end: '13:00' }], // 08:00Z-12:00Z on 2026-03-02
    ...(minNoticeMinutes === undefined ? {} : { minNoticeMinutes }),
  });

  it('defaults to 120 minutes of notice; a slot exactly at now + notice is kept', () => {
    expect(DEFAULT_MIN_NOTICE_MINUTES).toBe(120);
    expect(starts(slots(avail(), '2026-03-02', '2026-03-02', { now: new Date('2026-03-02T08:00:00Z') }))).toEqual([
      '2026-03-02T10:00:00Z',
      '2026-03-02T11:00:00Z',
    ]);
    expect(starts(slots(avail(), '2026-03-02', '2026-03-02', { now: ms('2026-03-02T08:01:00Z') }))).toEqual([
      '2026-03-02T11:00:00Z',
    ]);
  });

  it('honours a custom notice', () => {
    expect(starts(slots(avail(30), '2026-03-02', '2026-03-02', { now: ms('2026-03-02T08:45:00Z') }))).toEqual([
      '2026-03-02T10:00:00Z',
      '2026-03-02T11:00:00Z',
    ]);
    // A day of notice: nothing on the same day.
    expect(slots(avail(1440), '2026-03-02', '2026-03-02', { now: ms('2026-03-01T12:00:00Z') })).toEqual([]);
  });

  it('excludes past slots and the slot in progress, even with zero notice', () => {
    const now = ms('2026-03-09T09:30:00Z'); // Monday 10:30 in Rome
    const result = slots(avail(0), '2026-03-02', '2026-03-16', { now });
    expect(starts(result)).toEqual([
      '2026-03-09T10:00:00Z',
      '2026-03-09T11:00:00Z',
      '2026-03-16T08:00:00Z',
      '2026-03-16T09:00:00Z',
      '2026-03-16T10:00:00Z',
      '2026-03-16T11:00:00Z',
    ]);
  });

  it('a range entirely in the past is empty', () => {
    expect(slots(avail(0), '2026-03-02', '2026-03-02', { now: ms('2026-04-01T00:00:00Z') })).toEqual([]);
  });
});

describe('computeFreeSlots: busy intervals', () => {
  const avail = availability(ROME, [{ day: 'mon', start: '09:00', end: '13:00' }]); // 08:00Z-12:00Z
  const day = '2026-03-02';

  it('drops a slot taken by an appointment of the same length', () => {
    const busy = [{ start: new Date('2026-03-02T09:00:00Z'), end: new Date('2026-03-02T10:00:00Z') }];
    expect(starts(slots(avail, day, day, { busy }))).toEqual([
      '2026-03-02T08:00:00Z',
      '2026-03-02T10:00:00Z',
      '2026-03-02T11:00:00Z',
    ]);
  });

  it('drops every slot partially overlapped by an appointment of another offering with another length', () => {
    // A 90-minute visit from 09:30 to 11:00 local (08:30Z-10:00Z) blocks the 09:00 and 10:00 slots.
    const busy = [{ start: ms('2026-03-02T08:30:00Z'), end: ms('2026-03-02T10:00:00Z') }];
    expect(starts(slots(avail, day, day, { busy }))).toEqual(['2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z']);
    // The same visit against a 30-minute grid blocks exactly the three half hours it covers.
    expect(starts(slots(avail, day, day, { busy, duration: 30 }))).toEqual([
      '2026-03-02T08:00:00Z',
      '2026-03-02T10:00:00Z',
      '2026-03-02T10:30:00Z',
      '2026-03-02T11:00:00Z',
      '2026-03-02T11:30:00Z',
    ]);
  });

  it('a short appointment in the middle of a longer slot blocks it', () => {
    const busy = [{ start: ms('2026-03-02T10:20:00Z'), end: ms('2026-03-02T10:35:00Z') }];
    expect(starts(slots(avail, day, day, { busy, duration: 120 }))).toEqual(['2026-03-02T08:00:00Z']);
  });

  it('touching is not overlapping: busy [start, end) that ends at a slot start or starts at its end', () => {
    const busy = [
      { start: ms('2026-03-02T07:00:00Z'), end: ms('2026-03-02T08:00:00Z') },
      { start: ms('2026-03-02T12:00:00Z'), end: ms('2026-03-02T13:00:00Z') },
    ];
    expect(slots(avail, day, day, { busy })).toHaveLength(4);
  });

  it('handles unsorted, overlapping and empty busy intervals', () => {
    const busy = [
      { start: ms('2026-03-02T11:10:00Z'), end: ms('2026-03-02T11:20:00Z') },
      { start: ms('2026-03-02T07:00:00Z'), end: ms('2026-03-02T08:10:00Z') },
      { start: ms('2026-03-02T07:30:00Z'), end: ms('2026-03-02T07:45:00Z') }, // inside the previous one
      { start: ms('2026-03-02T09:30:00Z'), end: ms('2026-03-02T09:30:00Z') }, // empty: blocks nothing
    ];
    expect(starts(slots(avail, day, day, { busy }))).toEqual(['2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z']);
  });

  it('busy time on other days does not matter', () => {
    const busy = [{ start: ms('2026-03-03T08:00:00Z'), end: ms('2026-03-03T12:00:00Z') }];
    expect(slots(avail, day, day, { busy })).toHaveLength(4);
  });
});

describe('computeFreeSlots: DST in Europe/Rome', () => {
  // 2026-03-29 (Sunday): 02:00 CET -> 03:00 CEST at 01:00Z; 02:00-03:00 does not exist.
  // 2026-10-25 (Sunday): 03:00 CEST -> 02:00 CET at 01:00Z; 02:00-03:00 happens twice.

  it('spring: 01:00-04:00 holds 2 real hours', () => {
    const avail = availability(ROME, [{ day: 'sun', start: '01:00', end: '04:00' }]);
    expect(slots(avail, '2026-03-29', '2026-03-29')).toEqual([
      { start: '2026-03-29T00:00:00Z', end: '2026-03-29T01:00:00Z' }, // 01:00 CET
      { start: '2026-03-29T01:00:00Z', end: '2026-03-29T02:00:00Z' }, // 03:00 CEST
    ]);
    expect(starts(slots(avail, '2026-03-29', '2026-03-29', { duration: 30 }))).toEqual([
      '2026-03-29T00:00:00Z',
      '2026-03-29T00:30:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T01:30:00Z',
    ]);
  });

  it('spring: a 45-minute grid steps in real minutes across the gap', () => {
    const avail = availability(ROME, [{ day: 'sun', start: '01:00', end: '04:00' }]);
    expect(slots(avail, '2026-03-29', '2026-03-29', { duration: 45 })).toEqual([
      { start: '2026-03-29T00:00:00Z', end: '2026-03-29T00:45:00Z' }, // 01:00 CET
      { start: '2026-03-29T00:45:00Z', end: '2026-03-29T01:30:00Z' }, // 01:45 CET -> 03:30 CEST
    ]);
  });

  it('spring: an interval inside the gap is empty; one starting in the gap starts at 03:00', () => {
    expect(slots(availability(ROME, [{ day: 'sun', start: '02:00', end: '03:00' }]), '2026-03-29', '2026-03-29')).toEqual([]);
    expect(slots(availability(ROME, [{ day: 'sun', start: '02:30', end: '04:00' }]), '2026-03-29', '2026-03-29')).toEqual([
      { start: '2026-03-29T01:00:00Z', end: '2026-03-29T02:00:00Z' },
    ]);
    // Ending in the gap: the interval ends at the transition.
    expect(slots(availability(ROME, [{ day: 'sun', start: '01:00', end: '02:30' }]), '2026-03-29', '2026-03-29')).toEqual([
      { start: '2026-03-29T00:00:00Z', end: '2026-03-29T01:00:00Z' },
    ]);
  });

  it('spring: adjacent intervals split inside the gap neither overlap nor leave a hole', () => {
    const avail = availability(ROME, [
      { day: 'sun', start: '02:30', end: '04:00' },
      { day: 'sun', start: '01:00', end: '02:30' },
    ]);
    const result = slots(avail, '2026-03-29', '2026-03-29', { duration: 30 });
    expect(starts(result)).toEqual([
      '2026-03-29T00:00:00Z',
      '2026-03-29T00:30:00Z',
      '2026-03-29T01:00:00Z',
      '2026-03-29T01:30:00Z',
    ]);
    expectContiguous(result);
  });

  it('autumn: 01:00-04:00 holds 4 real hours, the repeated hour once each', () => {
    const avail = availability(ROME, [{ day: 'sun', start: '01:00', end: '04:00' }]);
    expect(slots(avail, '2026-10-25', '2026-10-25')).toEqual([
      { start: '2026-10-24T23:00:00Z', end: '2026-10-25T00:00:00Z' }, // 01:00 CEST
      { start: '2026-10-25T00:00:00Z', end: '2026-10-25T01:00:00Z' }, // 02:00 CEST
      { start: '2026-10-25T01:00:00Z', end: '2026-10-25T02:00:00Z' }, // 02:00 CET
      { start: '2026-10-25T02:00:00Z', end: '2026-10-25T03:00:00Z' }, // 03:00 CET
    ]);
  });

  it('autumn: 02:00-03:00 covers both occurrences of the repeated hour', () => {
    const avail = availability(ROME, [{ day: 'sun', start: '02:00', end: '03:00' }]);
    expect(starts(slots(avail, '2026-10-25', '2026-10-25', { duration: 30 }))).toEqual([
      '2026-10-25T00:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
    ]);
  });

  it('autumn: adjacent intervals split inside the repeated hour emit every instant exactly once', () => {
    const avail = availability(ROME, [
      { day: 'sun', start: '01:00', end: '02:30' },
      { day: 'sun', start: '02:30', end: '04:00' },
    ]);
    const result = slots(avail, '2026-10-25', '2026-10-25', { duration: 30 });
    expect(starts(result)).toEqual([
      '2026-10-24T23:00:00Z',
      '2026-10-24T23:30:00Z',
      '2026-10-25T00:00:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T01:00:00Z',
      '2026-10-25T01:30:00Z',
      '2026-10-25T02:00:00Z',
      '2026-10-25T02:30:00Z',
    ]);
    expectStrictlyAscending(result);
    expectContiguous(result);
  });

  it('ordinary daytime hours are unaffected on both days (offset changes from the transition on)', () => {
    const avail = availability(ROME, [{ day: 'sun', start: '09:00', end: '11:00' }]);
    expect(starts(slots(avail, '2026-03-28', '2026-03-29'))).toEqual(['2026-03-29T07:00:00Z', '2026-03-29T08:00:00Z']);
    expect(starts(slots(avail, '2026-10-25', '2026-10-25'))).toEqual(['2026-10-25T08:00:00Z', '2026-10-25T09:00:00Z']);
  });

  it('round the clock across the spring change: 23 real hours that day, contiguous, no duplicates', () => {
    const avail = availability(ROME, ALL_DAY);
    const day = slots(avail, '2026-03-29', '2026-03-29', { duration: 30 });
    expect(day).toHaveLength(46);
    expect(day[0]!.start).toBe('2026-03-28T23:00:00Z');
    expect(day.at(-1)!.end).toBe('2026-03-29T22:00:00Z');
    expectStrictlyAscending(day);
    expectContiguous(day);

    const week = slots(avail, '2026-03-26', '2026-04-01', { duration: 60 });
    expect(week).toHaveLength(7 * 24 - 1);
    expect(week[0]!.start).toBe('2026-03-25T23:00:00Z'); // 00:00 CET
    expect(week.at(-1)!.end).toBe('2026-04-01T22:00:00Z'); // 24:00 CEST
    expectStrictlyAscending(week);
    expectContiguous(week);
  });

  it('round the clock across the autumn change: 25 real hours that day, contiguous, no duplicates', () => {
    const avail = availability(ROME, ALL_DAY);
    const day = slots(avail, '2026-10-25', '2026-10-25', { duration: 30 });
    expect(day).toHaveLength(50);
    expect(day[0]!.start).toBe('2026-10-24T22:00:00Z');
    expect(day.at(-1)!.end).toBe('2026-10-25T23:00:00Z');
    expectStrictlyAscending(day);
    expectContiguous(day);

    const week = slots(avail, '2026-10-22', '2026-10-28', { duration: 60 });
    expect(week).toHaveLength(7 * 24 + 1);
    expect(week[0]!.start).toBe('2026-10-21T22:00:00Z'); // 00:00 CEST
    expect(week.at(-1)!.end).toBe('2026-10-28T23:00:00Z'); // 24:00 CET
    expectStrictlyAscending(week);
    expectContiguous(week);
  });

  it('round the clock across transitions at midnight (America/Santiago), no duplicates, no holes', () => {
    const avail = availability('America/Santiago', ALL_DAY);
    // 2026-04-04: 24:00 -03 -> 23:00 -04, a 25-hour Saturday.
    const april = slots(avail, '2026-04-03', '2026-04-06', { duration: 60 });
    expect(april).toHaveLength(4 * 24 + 1);
    expect(april[0]!.start).toBe('2026-04-03T03:00:00Z');
    expect(april.at(-1)!.end).toBe('2026-04-07T04:00:00Z');
    expectStrictlyAscending(april);
    expectContiguous(april);
    // 2026-09-06: 00:00 -04 -> 01:00 -03, a 23-hour Sunday starting at 01:00.
    const september = slots(avail, '2026-09-04', '2026-09-07', { duration: 60 });
    expect(september).toHaveLength(4 * 24 - 1);
    expect(september[0]!.start).toBe('2026-09-04T04:00:00Z');
    expect(september.at(-1)!.end).toBe('2026-09-08T03:00:00Z');
    expectStrictlyAscending(september);
    expectContiguous(september);
  });
});

describe('isBookableStart', () => {
  const avail = availability(ROME, [
    { day: 'mon', start: '09:00', end: '12:00' },
    { day: 'mon', start: '14:00', end: '15:30' },
  ], [{ date: '2026-03-09', closed: true }], 60);
  const ctx = (over: Partial<SlotContext> = {}): SlotContext => ({
    availability: avail,
    durationMinutes: 60,
    busy: [],
    now: ms('2026-03-01T12:00:00Z'),
    ...over,
  });

  it('accepts a start on the grid and returns the slot end', () => {
    expect(isBookableStart(ctx(), new Date('2026-03-02T09:00:00Z'))).toEqual({
      bookable: true,
      start: '2026-03-02T09:00:00Z',
      end: '2026-03-02T10:00:00Z',
    });
    expect(isBookableStart(ctx(), ms('2026-03-02T13:00:00Z'))).toEqual({
      bookable: true,
      start: '2026-03-02T13:00:00Z',
      end: '2026-03-02T14:00:00Z',
    });
  });

  it('rejects a start off the grid, to the minute or the second', () => {
    expect(isBookableStart(ctx(), ms('2026-03-02T08:30:00Z'))).toEqual({ bookable: false, reason: 'OFF_GRID' });
    expect(isBookableStart(ctx(), ms('2026-03-02T08:00:30Z'))).toEqual({ bookable: false, reason: 'OFF_GRID' });
    expect(isBookableStart(ctx(), ms('2026-03-02T08:00:00.001Z'))).toEqual({ bookable: false, reason: 'OFF_GRID' });
  });

  it('rejects a start outside availability, on a closed date, or whose slot would not fit', () => {
    const outside = { bookable: false, reason: 'OUTSIDE_AVAILABILITY' };
    expect(isBookableStart(ctx(), ms('2026-03-02T07:00:00Z'))).toEqual(outside); // 08:00 local
    expect(isBookableStart(ctx(), ms('2026-03-02T11:00:00Z'))).toEqual(outside); // the break
    expect(isBookableStart(ctx(), ms('2026-03-03T08:00:00Z'))).toEqual(outside); // Tuesday
    expect(isBookableStart(ctx(), ms('2026-03-09T08:00:00Z'))).toEqual(outside); // closed Monday
    // 15:00 local is on the 14:00 grid but 15:00-16:00 runs past 15:30.
    expect(isBookableStart(ctx(), ms('2026-03-02T14:00:00Z'))).toEqual(outside);
  });

  it('rejects past starts and starts inside the minimum notice', () => {
    const now = ms('2026-03-02T09:10:00Z');
    expect(isBookableStart(ctx({ now }), ms('2026-03-02T09:00:00Z'))).toEqual({ bookable: false, reason: 'IN_PAST' });
    expect(isBookableStart(ctx({ now }), ms('2026-03-02T10:00:00Z'))).toEqual({ bookable: false, reason: 'TOO_SOON' });
    expect(isBookableStart(ctx({ now: ms('2026-03-02T09:00:00Z') }), ms('2026-03-02T10:00:00Z')).bookable).toBe(true);
  });

  it('rejects a start overlapping a busy interval, including a partial overlap by another offering', () => {
    const busy = [{ start: ms('2026-03-02T08:30:00Z'), end: ms('2026-03-02T10:00:00Z') }];
    expect(isBookableStart(ctx({ busy }), ms('2026-03-02T08:00:00Z'))).toEqual({ bookable: false, reason: 'BUSY' });
    expect(isBookableStart(ctx({ busy }), ms('2026-03-02T09:00:00Z'))).toEqual({ bookable: false, reason: 'BUSY' });
    expect(isBookableStart(ctx({ busy }), ms('2026-03-02T10:00:00Z')).bookable).toBe(true);
  });

  it('knows both occurrences of the repeated autumn hour and nothing in the spring gap', () => {
    const night = availability(ROME, [{ day: 'sun', start: '01:00', end: '04:00' }]);
    const c = ctx({ availability: night });
    expect(isBookableStart(c, ms('2026-10-25T00:00:00Z'))).toMatchObject({ bookable: true, end: '2026-10-25T01:00:00Z' });
    expect(isBookableStart(c, ms('2026-10-25T01:00:00Z'))).toMatchObject({ bookable: true, end: '2026-10-25T02:00:00Z' });
    expect(isBookableStart(c, ms('2026-10-25T00:30:00Z'))).toEqual({ bookable: false, reason: 'OFF_GRID' });
    expect(isBookableStart(c, ms('2026-03-29T01:00:00Z'))).toMatchObject({ bookable: true, end: '2026-03-29T02:00:00Z' });
    expect(isBookableStart(c, ms('2026-03-29T02:00:00Z'))).toEqual({ bookable: false, reason: 'OUTSIDE_AVAILABILITY' });
  });

  it('throws on an invalid requested instant', () => {
    expect(() => isBookableStart(ctx(), new Date('nope'))).toThrow(SlotInputError);
  });

  // The booking path (isBookableStart) and the listing path (computeFreeSlots) must agree
  // on every instant, including around DST changes and midnight transitions.
  const agreementCases: Array<{ name: string; availability: Availability; from: string; to: string; duration: number; busy: BusyInterval[]; now: number }> = [
    {
      name: 'Rome spring, split in the gap, busy, notice',
      availability: availability(ROME, [
        { day: 'sat', start: '22:00', end: '24:00' },
        { day: 'sun', start: '00:00', end: '02:30' },
        { day: 'sun', start: '02:30', end: '05:00' },
        { day: 'sun', start: '09:10', end: '12:00' },
      ], [], 90),
      from: '2026-03-28',
      to: '2026-03-29',
      duration: 25,
      busy: [{ start: ms('2026-03-29T01:10:00Z'), end: ms('2026-03-29T01:40:00Z') }],
      now: ms('2026-03-28T19:00:00Z'),
    },
    {
      name: 'Rome autumn, round the clock, 40-minute grid',
      availability: availability(ROME, ALL_DAY),
      from: '2026-10-24',
      to: '2026-10-26',
      duration: 40,
      busy: [{ start: ms('2026-10-25T00:50:00Z'), end: ms('2026-10-25T01:20:00Z') }],
      now: LONG_AGO,
    },
    {
      name: 'Santiago midnight transitions',
      availability: availability('America/Santiago', [
        { day: 'sat', start: '20:00', end: '24:00' },
        { day: 'sun', start: '00:00', end: '03:00' },
      ]),
      from: '2026-04-04',
      to: '2026-04-05',
      duration: 30,
      busy: [],
      now: LONG_AGO,
    },
    {
      name: 'Santiago spring gap at midnight',
      availability: availability('America/Santiago', ALL_DAY),
      from: '2026-09-05',
      to: '2026-09-06',
      duration: 45,
      busy: [],
      now: LONG_AGO,
    },
    {
      name: 'Kolkata',
      availability: availability('Asia/Kolkata', [{ day: 'mon', start: '09:00', end: '12:00' }]),
      from: '2026-03-02',
      to: '2026-03-02',
      duration: 50,
      busy: [],
      now: LONG_AGO,
    },
  ];

  for (const c of agreementCases) {
    it(`agrees with computeFreeSlots at every 5-minute instant: ${c.name}`, () => {
      const listed = slots(c.availability, c.from, c.to, { duration: c.duration, busy: c.busy, now: c.now });
      expect(listed.length).toBeGreaterThan(0);
      const byStart = new Map(listed.map((s) => [ms(s.start), s.end]));
      const context: SlotContext = { availability: c.availability, durationMinutes: c.duration, busy: c.busy, now: c.now };
      const first = ms(`${c.from}T00:00:00Z`) - 15 * 3_600_000;
      const last = ms(`${c.to}T00:00:00Z`) + 39 * 3_600_000;
      let bookable = 0;
      for (let t = first; t < last; t += 5 * 60_000) {
        const local = localDateOf(c.availability.timeZone, t);
        if (local < c.from || local > c.to) continue; // outside the listed range
        const check = isBookableStart(context, t);
        const expectedEnd = byStart.get(t);
        if (expectedEnd === undefined) {
          expect(check.bookable, new Date(t).toISOString()).toBe(false);
        } else {
          expect(check, new Date(t).toISOString()).toEqual({ bookable: true, start: new Date(t).toISOString().replace('.000Z', 'Z'), end: expectedEnd });
          bookable++;
        }
      }
      expect(bookable).toBe(listed.length);
    });
  }
});

describe('booking horizon (maxAdvanceDays)', () => {
  // Now: Monday 2026-03-02 10:00 in Rome. Round the clock, one-hour slots, no notice.
  const NOW = ms('2026-03-02T09:00:00Z');
  const horizon = (maxAdvanceDays: number, over: Partial<Availability> = {}): Availability => ({ ...availability(ROME, ALL_DAY), maxAdvanceDays, ...over });
  const localDates = (list: Slot[]) => [...new Set(list.map((s) => localDateOf(ROME, ms(s.start))))];

  it('offers slots up to today + maxAdvanceDays in the provider zone, nothing after', () => {
    const list = slots(horizon(7), '2026-03-02', '2026-03-20', { now: NOW });
    expect(localDates(list)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09']);
    expect(list.at(-1)).toEqual({ start: '2026-03-09T22:00:00Z', end: '2026-03-09T23:00:00Z' }); // 23:00-24:00 in Rome
    expect(slots(horizon(7), '2026-03-10', '2026-03-20', { now: NOW })).toEqual([]);
  });

  it('counts days from the provider\'s date, not the UTC one', () => {
    // 23:30Z on Sunday is already Monday 00:30 in Rome: the horizon of 1 day ends on Tuesday.
    const list = slots(horizon(1), '2026-03-01', '2026-03-05', { now: ms('2026-03-01T23:30:00Z') });
    expect(localDates(list)).toEqual(['2026-03-02', '2026-03-03']);
  });

  it('has no horizon when maxAdvanceDays is absent (the service always stores one)', () => {
    expect(slots(availability(ROME, ALL_DAY), '2028-03-01', '2028-03-01', { now: NOW })).toHaveLength(24);
  });

  it('refuses a start beyond the horizon with TOO_FAR, after the other reasons', () => {
    const c = (avail: Availability): SlotContext => ({ availability: avail, durationMinutes: 60, busy: [], now: NOW });
    expect(isBookableStart(c(horizon(7)), ms('2026-03-09T22:00:00Z'))).toMatchObject({ bookable: true }); // last hour of the last day
    expect(isBookableStart(c(horizon(7)), ms('2026-03-09T23:00:00Z'))).toEqual({ bookable: false, reason: 'TOO_FAR' }); // next midnight
    expect(isBookableStart(c(horizon(180)), ms('2030-01-07T09:00:00Z'))).toEqual({ bookable: false, reason: 'TOO_FAR' });
    expect(isBookableStart(c(horizon(730)), ms('2028-03-01T09:00:00Z'))).toMatchObject({ bookable: true });
    // Not a slot at all says so first; a busy slot beyond the horizon is simply too far.
    expect(isBookableStart(c(horizon(7)), ms('2026-03-20T09:30:00Z'))).toEqual({ bookable: false, reason: 'OFF_GRID' });
    const busy = [{ start: ms('2026-03-20T09:00:00Z'), end: ms('2026-03-20T10:00:00Z') }];
    expect(isBookableStart({ ...c(horizon(7)), busy }, ms('2026-03-20T09:00:00Z'))).toEqual({ bookable: false, reason: 'TOO_FAR' });
  });

  it('agrees with computeFreeSlots at every 5-minute instant where the horizon cuts a range across a DST change', () => {
    // Now: Thursday 2026-03-26 12:00 in Rome; the horizon of 3 days ends on Sunday 2026-03-29
    // (23 real hours, clocks go forward); the Saturday interval runs to 24:00.
    const avail = horizon(3, { weekly: [...ALL_DAY.filter((w) => w.day !== 'sat'), { day: 'sat', start: '20:00', end: '24:00' }] });
    const now = ms('2026-03-26T11:00:00Z');
    const context: SlotContext = { availability: avail, durationMinutes: 45, busy: [], now };
    const listed = slots(avail, '2026-03-26', '2026-04-02', { duration: 45, now });
    expect(localDates(listed).at(-1)).toBe('2026-03-29');
    const byStart = new Map(listed.map((s) => [ms(s.start), s.end]));
    let bookable = 0;
    for (let t = now; t < ms('2026-04-03T00:00:00Z'); t += 5 * 60_000) {
      const check = isBookableStart(context, t);
      const expectedEnd = byStart.get(t);
      if (expectedEnd === undefined) {
        expect(check.bookable, new Date(t).toISOString()).toBe(false);
        if (t >= ms('2026-03-29T22:00:00Z') && (t - ms('2026-03-29T22:00:00Z')) % (45 * 60_000) === 0) {
          expect(check, new Date(t).toISOString()).toEqual({ bookable: false, reason: 'TOO_FAR' });
        }
      } else {
        expect(check, new Date(t).toISOString()).toMatchObject({ bookable: true, end: expectedEnd });
        bookable++;
      }
    }
    expect(bookable).toBe(listed.length);
  });

  it('validates maxAdvanceDays: whole days 1..730, leaving time after the minimum notice', () => {
    expect(validateAvailability(horizon(1))).toBeNull();
    expect(validateAvailability(horizon(MAX_ADVANCE_DAYS))).toBeNull();
    expect([DEFAULT_MAX_ADVANCE_DAYS, MAX_ADVANCE_DAYS]).toEqual([180, 730]);
    for (const bad of [0, -1, 731, 1.5, Number.NaN]) {
      expect(validateAvailability(horizon(bad))?.issues, String(bad)).toEqual([{ path: 'maxAdvanceDays', message: 'must be a whole number of days, 1..730' }]);
      expect(() => slots(horizon(bad), '2026-03-02', '2026-03-02')).toThrow(SlotInputError);
    }
    // Three days of notice and a two-day horizon: every slot would be too soon or too far.
    expect(validateAvailability(horizon(2, { minNoticeMinutes: 3 * 1440 }))?.issues).toEqual([
      { path: 'maxAdvanceDays', message: 'must leave bookable time after the minimum notice of 4320 minutes' },
    ]);
    expect(validateAvailability(horizon(3, { minNoticeMinutes: 3 * 1440 }))).toBeNull();
  });
});

describe('localDateOf', () => {
  it('gives the date in the provider zone', () => {
    expect(localDateOf(ROME, ms('2026-03-01T23:30:00Z'))).toBe('2026-03-02');
    expect(localDateOf('Asia/Kolkata', new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02');
    expect(() => localDateOf('Nowhere/Land', 0)).toThrow(SlotInputError);
  });
});
