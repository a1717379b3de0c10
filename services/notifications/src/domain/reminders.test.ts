import { describe, it, expect } from 'vitest';
import { parseReminderOffsets, reminderDueTimes } from './reminders.ts';

describe('parseReminderOffsets', () => {
  it('parses days, hours and minutes into minutes, largest first, without duplicates', () => {
    expect(parseReminderOffsets('7d,1d,2h,30m')).toEqual([10_080, 1_440, 120, 30]);
    expect(parseReminderOffsets('30m, 2h ,1d')).toEqual([1_440, 120, 30]);
    expect(parseReminderOffsets(' 1 d , 24h,1440m,60m,1h ')).toEqual([1_440, 60]);
    expect(parseReminderOffsets('60d')).toEqual([86_400]);
  });

  it('gives no reminders for an empty value', () => {
    expect(parseReminderOffsets('')).toEqual([]);
    expect(parseReminderOffsets('   ')).toEqual([]);
  });

  it('refuses anything else with a message that names the problem', () => {
    const cases: [string, RegExp][] = [
      ['1d,,2h', /item 2 is empty/],
      ['1d,', /item 2 is empty/],
      [',1d', /item 1 is empty/],
      ['0m', /zero/],
      ['0d', /zero/],
      ['-1h', /not a positive number/],
      ['+1h', /not a positive number/],
      ['1w', /not a positive number/],
      ['1', /not a positive number/],
      ['h', /not a positive number/],
      ['1.5h', /not a positive number/],
      ['1D', /not a positive number/],
      ['1d2h', /not a positive number/],
      ['61d', /more than 60 days/],
      ['86401m', /more than 60 days/],
      ['1441h', /more than 60 days/],
      ['1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m', /at most 10/],
    ];
    for (const [raw, message] of cases) {
      expect(() => parseReminderOffsets(raw), raw).toThrow(message);
    }
    expect(parseReminderOffsets('1m,2m,3m,4m,5m,6m,7m,8m,9m,10m')).toHaveLength(10);
  });
});

describe('reminderDueTimes', () => {
  const start = new Date('2026-12-04T08:30:00Z');

  it('gives every reminder when booked well ahead, earliest first', () => {
    const now = new Date('2026-11-01T10:00:00Z');
    expect(reminderDueTimes(start, [1_440, 120], now)).toEqual([
      { offsetMinutes: 1_440, dueAt: new Date('2026-12-03T08:30:00Z') },
      { offsetMinutes: 120, dueAt: new Date('2026-12-04T06:30:00Z') },
    ]);
  });

  it('drops the reminders whose moment already passed (booked 3 hours ahead: only the 2h one)', () => {
    const now = new Date('2026-12-04T05:30:00Z');
    expect(reminderDueTimes(start, [1_440, 120], now)).toEqual([
      { offsetMinutes: 120, dueAt: new Date('2026-12-04T06:30:00Z') },
    ]);
  });

  it('drops a reminder due exactly now, and gives nothing for a past appointment', () => {
    expect(reminderDueTimes(start, [120], new Date('2026-12-04T06:30:00Z'))).toEqual([]);
    expect(reminderDueTimes(start, [120], new Date('2026-12-04T06:29:59.999Z'))).toHaveLength(1);
    expect(reminderDueTimes(start, [1_440, 120, 30], new Date('2026-12-05T00:00:00Z'))).toEqual([]);
    expect(reminderDueTimes(start, [], new Date('2026-01-01T00:00:00Z'))).toEqual([]);
  });
});
