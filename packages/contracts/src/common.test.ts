// The API's calendar: the range every service checks its dates and instants against.
import { describe, expect, it } from 'vitest';
import { DATE_RANGE_MESSAGE, EARLIEST_DATE, INSTANT_RANGE_MESSAGE, LATEST_DATE, isDateInRange, isInstantInRange } from './common.ts';

describe('the API calendar', () => {
  it('takes dates from 1900-01-01 to 2199-12-31, both included', () => {
    expect([EARLIEST_DATE, LATEST_DATE]).toEqual(['1900-01-01', '2199-12-31']);
    for (const d of ['1900-01-01', '1970-01-01', '2026-03-02', '2199-12-31']) expect(isDateInRange(d), d).toBe(true);
    for (const d of ['1899-12-31', '2200-01-01', '9999-12-30', '0000-01-01', '+010000-01-02', '2026-3-2', '']) expect(isDateInRange(d), d).toBe(false);
  });

  it('takes instants within the same days in UTC, whatever offset they are written with', () => {
    for (const t of ['1900-01-01T00:00:00Z', '2026-03-02T08:00:00+01:00', '2199-12-31T23:59:59.999Z', '2199-12-31T23:30:00+01:00']) {
      expect(isInstantInRange(t), t).toBe(true);
    }
    for (const t of ['1899-12-31T23:59:59Z', '1900-01-01T00:30:00+01:00', '2200-01-01T00:00:00Z', '2199-12-31T23:30:00-01:00', '9999-12-31T23:30:00Z', 'soon']) {
      expect(isInstantInRange(t), t).toBe(false);
    }
  });

  it('says the range in its messages', () => {
    expect(DATE_RANGE_MESSAGE).toBe('must be a date between 1900-01-01 and 2199-12-31');
    expect(INSTANT_RANGE_MESSAGE).toBe('must be an instant between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z');
  });
});
