import { describe, expect, it } from 'vitest';
import { bookingRequestHash } from './appointments.ts';
import { canonicalTimeZone } from './availability.ts';
import { issueToFieldError, slotErrorToAppError } from './errors.ts';
import { validateSlotRange } from './slots.ts';

describe('canonicalTimeZone', () => {
  it('spells a known zone the tz database way and refuses unknown ones', () => {
    expect(canonicalTimeZone('europe/rome')).toBe('Europe/Rome');
    expect(canonicalTimeZone('Europe/Rome')).toBe('Europe/Rome');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    expect(canonicalTimeZone('Asia/Calcutta')).toBe('Asia/Calcutta'); // a link stays as written
    expect(canonicalTimeZone('Mars/Olympus')).toBeNull();
    expect(canonicalTimeZone('+01:00')).toBeNull();
    expect(canonicalTimeZone('')).toBeNull();
  });
});

describe('domain issues as field errors', () => {
  it('turns slot-module paths into request field paths', () => {
    expect(issueToFieldError({ path: 'weekly[2].end', message: 'must be after start' }, 'body')).toEqual({ field: 'body/weekly/2/end', message: 'must be after start' });
    expect(issueToFieldError({ path: 'exceptions[0].intervals[1].start', message: 'x' }, 'body').field).toBe('body/exceptions/0/intervals/1/start');
    expect(issueToFieldError({ path: 'weekly(mon)', message: 'intervals overlap' }, 'body')).toEqual({ field: 'body/weekly', message: 'intervals overlap (mon)' });
    expect(issueToFieldError({ path: 'exceptions(2026-03-10)', message: 'intervals overlap' }, 'body')).toEqual({ field: 'body/exceptions', message: 'intervals overlap (2026-03-10)' });
  });

  it('maps both range errors of the slot module to the public BOOKING_INVALID_RANGE', () => {
    const long = slotErrorToAppError(validateSlotRange('2026-01-01', '2026-12-31')!, 'query');
    expect(long.code).toBe('BOOKING_INVALID_RANGE');
    expect(long.extras.errors).toEqual([{ field: 'query/to', message: 'range covers 365 days; at most 62 allowed' }]);
    expect(slotErrorToAppError(validateSlotRange('2026-01-02', '2026-01-01')!, 'query').code).toBe('BOOKING_INVALID_RANGE');
  });
});

describe('bookingRequestHash', () => {
  it('is the same for the same offering and instant however they are written, different otherwise', () => {
    const id = '0190b6c2-0000-7000-8000-00000000000a';
    const h = bookingRequestHash(id, Date.parse('2026-03-02T08:00:00Z'));
    expect(bookingRequestHash(id.toUpperCase(), Date.parse('2026-03-02T09:00:00+01:00'))).toBe(h);
    expect(bookingRequestHash(id, Date.parse('2026-03-02T08:30:00Z'))).not.toBe(h);
    expect(bookingRequestHash('0190b6c2-0000-7000-8000-00000000000b', Date.parse('2026-03-02T08:00:00Z'))).not.toBe(h);
  });
});
