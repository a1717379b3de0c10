import { describe, it, expect } from 'vitest';
import { IANAZone } from 'luxon';
import {
  formatLocalDate,
  isoWeekdayIndex,
  localDayOf,
  parseLocalDate,
  parseWallTime,
  resolveWallTime,
  toRfc3339,
} from './zoned-time.ts';

const rome = IANAZone.create('Europe/Rome');
const day = (s: string): number => {
  const d = parseLocalDate(s);
  if (d === null) throw new Error(`bad date ${s}`);
  return d;
};
const at = (zone: IANAZone, date: string, hhmm: string): string =>
  toRfc3339(resolveWallTime(zone, day(date), parseWallTime(hhmm, true)!));

describe('parseLocalDate / formatLocalDate / isoWeekdayIndex', () => {
  it('round-trips calendar dates and rejects impossible ones', () => {
    expect(formatLocalDate(day('2026-03-29'))).toBe('2026-03-29');
    expect(formatLocalDate(day('2024-02-29'))).toBe('2024-02-29');
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-3-1', '26-03-01', '2026/03/01', '', '0099-01-01']) {
      expect(parseLocalDate(bad), bad).toBeNull();
    }
  });

  it('gives ISO weekday indexes (0 = Monday)', () => {
    expect(isoWeekdayIndex(day('2026-03-02'))).toBe(0); // Monday
    expect(isoWeekdayIndex(day('2026-03-29'))).toBe(6); // Sunday
    expect(isoWeekdayIndex(day('1970-01-01'))).toBe(3); // Thursday
  });
});

describe('parseWallTime', () => {
  it('accepts HH:MM and 24:00 only as an end', () => {
    expect(parseWallTime('00:00', false)).toBe(0);
    expect(parseWallTime('23:59', false)).toBe(1439);
    expect(parseWallTime('24:00', true)).toBe(1440);
    expect(parseWallTime('24:00', false)).toBeNull();
    for (const bad of ['9:00', '09:60', '25:00', '24:01', '09:00:00', 'noon']) expect(parseWallTime(bad, true), bad).toBeNull();
  });
});

describe('resolveWallTime', () => {
  it('resolves ordinary times with the offset in force', () => {
    expect(at(rome, '2026-01-15', '09:00')).toBe('2026-01-15T08:00:00Z');
    expect(at(rome, '2026-07-15', '09:00')).toBe('2026-07-15T07:00:00Z');
    expect(at(IANAZone.create('Asia/Kolkata'), '2026-03-02', '09:00')).toBe('2026-03-02T03:30:00Z');
  });

  it('maps a time inside the spring-forward gap to the transition instant', () => {
    expect(at(rome, '2026-03-29', '01:59')).toBe('2026-03-29T00:59:00Z');
    expect(at(rome, '2026-03-29', '02:00')).toBe('2026-03-29T01:00:00Z');
    expect(at(rome, '2026-03-29', '02:30')).toBe('2026-03-29T01:00:00Z');
    expect(at(rome, '2026-03-29', '03:00')).toBe('2026-03-29T01:00:00Z');
    expect(at(rome, '2026-03-29', '03:30')).toBe('2026-03-29T01:30:00Z');
  });

  it('maps an ambiguous fall-back time to its first occurrence', () => {
    expect(at(rome, '2026-10-25', '01:59')).toBe('2026-10-24T23:59:00Z');
    expect(at(rome, '2026-10-25', '02:00')).toBe('2026-10-25T00:00:00Z');
    expect(at(rome, '2026-10-25', '02:30')).toBe('2026-10-25T00:30:00Z');
    expect(at(rome, '2026-10-25', '03:00')).toBe('2026-10-25T02:00:00Z');
  });

  it('resolves 24:00 to the same instant as 00:00 of the next day, also across a midnight transition', () => {
    expect(at(rome, '2026-03-28', '24:00')).toBe(at(rome, '2026-03-29', '00:00'));
    const santiago = IANAZone.create('America/Santiago');
    // 2026-09-06 00:00 does not exist in Santiago (clocks go 24:00 -> 01:00).
    expect(at(santiago, '2026-09-05', '24:00')).toBe('2026-09-06T04:00:00Z');
    expect(at(santiago, '2026-09-06', '00:00')).toBe('2026-09-06T04:00:00Z');
    expect(at(santiago, '2026-09-06', '01:00')).toBe('2026-09-06T04:00:00Z');
    // 2026-04-04 23:00-24:00 happens twice (clocks go 24:00 -> 23:00): midnight is the later one.
    expect(at(santiago, '2026-04-04', '23:00')).toBe('2026-04-05T02:00:00Z');
    expect(at(santiago, '2026-04-04', '24:00')).toBe('2026-04-05T04:00:00Z');
  });

  it('is monotonic over every minute of both Rome transition days', () => {
    for (const date of ['2026-03-29', '2026-10-25']) {
      let previous = -Infinity;
      for (let m = 0; m <= 1440; m++) {
        const t = resolveWallTime(rome, day(date), m);
        expect(t).toBeGreaterThanOrEqual(previous);
        previous = t;
      }
    }
  });

  it('gives the local date of an instant', () => {
    expect(formatLocalDate(localDayOf(rome, Date.parse('2026-03-28T23:30:00Z')))).toBe('2026-03-29');
    expect(formatLocalDate(localDayOf(rome, Date.parse('2026-03-28T22:30:00Z')))).toBe('2026-03-28');
  });
});

describe('toRfc3339', () => {
  it('prints UTC with Z, milliseconds only when present', () => {
    expect(toRfc3339(Date.parse('2026-03-29T01:00:00Z'))).toBe('2026-03-29T01:00:00Z');
    expect(toRfc3339(Date.parse('2026-03-29T01:00:00.250Z'))).toBe('2026-03-29T01:00:00.250Z');
  });
});
