// The one table of stable error codes of the public API (besides the platform's generic
// ones: VALIDATION_FAILED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, ...).
// A code never changes meaning once published; add new ones instead.
export interface ErrorCodeDef {
  status: number;
  title: string;
}

export const ErrorCodes = {
  // auth
  AUTH_INVALID_CREDENTIALS: { status: 401, title: 'Invalid e-mail or password' },
  AUTH_EMAIL_TAKEN: { status: 409, title: 'E-mail already registered' },
  AUTH_REFRESH_INVALID: { status: 401, title: 'Refresh token invalid or expired' },
  AUTH_ACCOUNT_LOCKED: { status: 429, title: 'Too many failed logins; try again later' },
  // users
  USERS_PROFILE_NOT_FOUND: { status: 404, title: 'Profile not found' },
  USERS_PROFILE_EXISTS: { status: 409, title: 'Profile already exists' },
  // catalog
  CATALOG_SERVICE_NOT_FOUND: { status: 404, title: 'Catalogue service not found' },
  CATALOG_OFFERING_NOT_FOUND: { status: 404, title: 'Offering not found' },
  CATALOG_UNKNOWN_SERVICE: { status: 422, title: 'No such catalogue service' },
  CATALOG_PROVIDER_PROFILE_MISSING: { status: 422, title: 'Provider profile not found' },
  // A public source file of the catalogue cannot be read (missing, unreadable, wrong header).
  CATALOG_SOURCE_INVALID: { status: 500, title: 'Catalogue source file invalid' },
  // booking
  BOOKING_SLOT_TAKEN: { status: 409, title: 'Slot already taken' },
  BOOKING_SLOT_UNAVAILABLE: { status: 422, title: 'Not a free slot of this offering' },
  BOOKING_OFFERING_UNAVAILABLE: { status: 422, title: 'Offering not bookable' },
  BOOKING_NO_AVAILABILITY: { status: 404, title: 'Provider has published no availability' },
  BOOKING_INVALID_RANGE: { status: 400, title: 'Invalid date range' },
  BOOKING_INVALID_AVAILABILITY: { status: 400, title: 'Invalid availability' },
  BOOKING_IDEMPOTENCY_MISMATCH: { status: 422, title: 'Idempotency-Key reused with a different request' },
  BOOKING_APPOINTMENT_NOT_FOUND: { status: 404, title: 'Appointment not found' },
  BOOKING_NOT_CANCELLABLE: { status: 409, title: 'Appointment cannot be cancelled' },
} as const satisfies Record<string, ErrorCodeDef>;

export type ErrorCode = keyof typeof ErrorCodes;
