// Domain outcomes as stable error codes (HTTP only at the edge). The slot module speaks its
// own codes; this maps them onto the public table in @healthmatch/contracts.
import { DATE_RANGE_MESSAGE, INSTANT_RANGE_MESSAGE, isDateInRange, isInstantInRange, type ErrorCode } from '@healthmatch/contracts';
import { AppError, type FieldError, type PlatformErrorCode } from '@healthmatch/platform/errors';
import type { DomainIssue, SlotError } from './slots.ts';

export type Code = ErrorCode | PlatformErrorCode;

export function fail(code: Code, detail: string, extras: ConstructorParameters<typeof AppError>[2] = {}): AppError {
  return new AppError(code, detail, extras);
}

/**
 * 'weekly[2].end' -> 'body/weekly/2/end'; 'weekly(mon)' -> 'body/weekly' with the day in
 * the message, so errors[] name fields the way request validation does.
 */
export function issueToFieldError(issue: DomainIssue, root: string): FieldError {
  const m = /^(.*)\(([^)]*)\)$/.exec(issue.path);
  const path = (m ? m[1]! : issue.path).replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/');
  return { field: `${root}/${path}`, message: m ? `${issue.message} (${m[2]})` : issue.message };
}

/**
 * A 400 VALIDATION_FAILED naming every date ('YYYY-MM-DD') and instant (RFC 3339) outside
 * the API's calendar (1900-01-01..2199-12-31, see contracts); undefined values are skipped.
 * Called before any date arithmetic, so no instant past year 9999 ever reaches PostgreSQL.
 */
export function checkCalendarRange(fields: { dates?: Record<string, string | undefined>; instants?: Record<string, string | undefined> }): void {
  const errors: FieldError[] = [
    ...Object.entries(fields.dates ?? {})
      .filter(([, v]) => v !== undefined && !isDateInRange(v))
      .map(([field]) => ({ field, message: DATE_RANGE_MESSAGE })),
    ...Object.entries(fields.instants ?? {})
      .filter(([, v]) => v !== undefined && !isInstantInRange(v))
      .map(([field]) => ({ field, message: INSTANT_RANGE_MESSAGE })),
  ];
  if (errors.length > 0) throw fail('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
}

const publicCode: Record<SlotError['code'], Code> = {
  BOOKING_INVALID_DATE_RANGE: 'BOOKING_INVALID_RANGE',
  BOOKING_DATE_RANGE_TOO_LONG: 'BOOKING_INVALID_RANGE',
  BOOKING_INVALID_AVAILABILITY: 'BOOKING_INVALID_AVAILABILITY',
  BOOKING_INVALID_SLOT_QUERY: 'VALIDATION_FAILED',
};

/** A slot-module error about what the client sent, as a 400 naming the fields. */
export function slotErrorToAppError(err: SlotError, root: 'body' | 'query'): AppError {
  return fail(publicCode[err.code], err.message, { errors: err.issues.map((i) => issueToFieldError(i, root)) });
}
