// Shared DTO building blocks of the public API (see ARCHITECTURE.md, conventions).
import { Type, type Static, type TSchema } from '@sinclair/typebox';

// A pattern, not the `uuid` format (which also takes a `urn:uuid:` prefix that PostgreSQL
// would refuse): 36 characters, hex and hyphens, any case.
export const Uuid = Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'UUID' });

// The calendar of the API: dates and instants from 1900-01-01 to 2199-12-31 (UTC). Wider
// than any birth date or booking, and far enough from year 9999 that date arithmetic near
// the ends (a day of margin, a time zone) never leaves four-digit years: past 9999
// JavaScript writes "+010000-01-01", which PostgreSQL refuses (a 500 instead of a 400).
// JSON Schema cannot give a range a readable message, so the schemas check the shape and
// each service checks the range of what it receives (isDateInRange, isInstantInRange),
// answering 400 VALIDATION_FAILED with DATE_RANGE_MESSAGE / INSTANT_RANGE_MESSAGE.
export const EARLIEST_DATE = '1900-01-01';
export const LATEST_DATE = '2199-12-31';
export const DATE_RANGE_MESSAGE = `must be a date between ${EARLIEST_DATE} and ${LATEST_DATE}`;
export const INSTANT_RANGE_MESSAGE = `must be an instant between ${EARLIEST_DATE}T00:00:00Z and ${LATEST_DATE}T23:59:59Z`;
const EARLIEST_MS = Date.UTC(1900, 0, 1);
const END_MS = Date.UTC(2200, 0, 1);

/** Whether `date` is a 'YYYY-MM-DD' string between EARLIEST_DATE and LATEST_DATE (both included). */
export function isDateInRange(date: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(date) && date >= EARLIEST_DATE && date <= LATEST_DATE;
}

/** Whether the RFC 3339 instant `instant` (any offset) falls within the API's calendar, in UTC. */
export function isInstantInRange(instant: string): boolean {
  const ms = Date.parse(instant);
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms < END_MS;
}

export const Instant = Type.String({ format: 'date-time', description: `RFC 3339 instant, from ${EARLIEST_DATE}T00:00:00Z to ${LATEST_DATE}T23:59:59Z` });
export const DateOnly = Type.String({ format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: `calendar date YYYY-MM-DD, from ${EARLIEST_DATE} to ${LATEST_DATE}` });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['EUR'] });

export const Money = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'minor units (cents)' }),
    currency: Currency,
  },
  { additionalProperties: false },
);
export type Money = Static<typeof Money>;

export const Role = Type.Union([Type.Literal('patient'), Type.Literal('provider'), Type.Literal('admin')]);
export type Role = Static<typeof Role>;
export const ROLES = ['patient', 'provider', 'admin'] as const;

export const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });
export const Cursor = Type.String({ minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$', description: 'opaque cursor from nextCursor' });

export const PageQuery = { limit: Type.Optional(Limit), cursor: Type.Optional(Cursor) };

export const page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const IdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type IdParams = Static<typeof IdParams>;

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    code: Type.String(),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details' },
);

export const Coordinates = {
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
};

/** Email as people type it; the auth service lower-cases and trims to compare. */
export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });

/**
 * A new account's address: an Email that the platform can also write to. Beyond the
 * format: the part before @ at most 64 characters and domain labels at most 63 (RFC 5321,
 * 1035), no backtick, no "=?" (an encoded-word opener that mail readers decode into a
 * look-alike), and a top-level domain that is not all digits. The notifications service checks addresses the same way
 * (services/notifications/src/domain/addresses.ts), so no registered address is refused
 * later when mail goes out. Login keeps the plain Email: older accounts still sign in.
 */
export const RegistrationEmail = Type.String({
  format: 'email',
  minLength: 3,
  maxLength: 254,
  pattern: '^(?!.*=\\?)(?!.*@(?:[^.@]+\\.)*[^.@]{64})[^@`]{1,64}@[^@]*\\.[A-Za-z0-9-]*[A-Za-z-][A-Za-z0-9-]*$',
  description: 'e-mail address: at most 64 characters before the @, no backtick or "=?", domain labels of at most 63 characters, a top-level domain with a letter',
});

/** Single-line human text: no control characters (keeps logs and mail headers clean). */
export const Line = (maxLength: number, minLength = 1) =>
  Type.String({ minLength, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]*$', description: 'single line of text without control characters' });
/** Multi-line human text: newlines and tabs allowed, other control characters not. */
export const Text = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$', description: 'text without control characters' });
