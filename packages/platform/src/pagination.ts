// Opaque cursors for keyset pagination: base64url JSON of the last row's sort key.
import { AppError } from './errors.ts';

export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(cursor)) throw new Error('bad charset');
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(v) || v.length !== arity) throw new Error('bad shape');
    return v;
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor is not a valid cursor', { errors: [{ field: 'query/cursor', message: 'is not a valid cursor' }] });
  }
}

const CURSOR_MIN_MS = Date.UTC(1900, 0, 1);
const CURSOR_MAX_MS = Date.UTC(2200, 0, 1);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor of a list sorted by (instant, id): the last row's position. */
export function encodeTimeIdCursor(at: Date, id: string): string {
  return encodeCursor([at.getTime(), id]);
}

/** The position of a cursor made by encodeTimeIdCursor; a 400 VALIDATION_FAILED for anything else. */
export function decodeTimeIdCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  const raw = decodeCursor(cursor, 2);
  if (!raw) return undefined;
  const [ms, id] = raw;
  // Only instants of the API's calendar (1900-2199): anything else was never a position we
  // handed out, and would break Date or PostgreSQL further down.
  if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < CURSOR_MIN_MS || ms > CURSOR_MAX_MS || typeof id !== 'string' || !UUID_RE.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'cursor is not a valid cursor', { errors: [{ field: 'query/cursor', message: 'is not a valid cursor' }] });
  }
  return { at: new Date(ms), id };
}
