import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor } from './pagination.ts';

const id = '01a23d68-ca0d-7a87-acd1-daf8cb8225c4';

describe('time/id cursors', () => {
  it('round-trips a position', () => {
    const at = new Date('2026-12-03T10:00:00.123Z');
    expect(decodeTimeIdCursor(encodeTimeIdCursor(at, id))).toEqual({ at, id });
    expect(decodeTimeIdCursor(undefined)).toBeUndefined();
  });

  it('refuses, as a 400 problem, anything that is not a position we could have handed out', () => {
    for (const raw of [
      [8_640_000_000_000_001, id], // beyond Date
      [253_402_300_800_000, id], // year 10000
      [-62_198_755_200_001, id], // before year 0
      [Date.UTC(1899, 11, 31), id],
      [Date.UTC(2200, 0, 1, 0, 0, 1), id],
      [1.5, id],
      ['1', id],
      [1, 'not-a-uuid'],
      [1],
    ]) {
      let err: unknown;
      try {
        decodeTimeIdCursor(encodeCursor(raw));
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(raw)).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('VALIDATION_FAILED');
    }
  });
});
