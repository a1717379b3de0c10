// What the booking use cases need from the outside world. Implementations live in db/
// (PostgreSQL) and clients/ (catalog over HTTP); tests pass their own clock.
import type { BusyInterval, Weekday } from './slots.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The caller as the use cases see it: a patient or a provider (others never get here). */
export interface Actor {
  readonly id: string;
  readonly role: 'patient' | 'provider';
}

// ---------------------------------------------------------------------------------------
// Catalog

/** The fields of a catalog offering that booking depends on. */
export interface OfferingSnapshot {
  readonly id: string;
  readonly providerId: string;
  readonly service: { readonly id: string; readonly name: string };
  readonly price: { readonly amount: number; readonly currency: string };
  readonly durationMinutes: number;
  readonly modality: string;
  readonly active: boolean;
  /** Where the visit happens, as the catalog shows it at booking time (for the booked event). */
  readonly venue?: Venue;
}

/** Provider name and place of an offering; carried by the booked event so messages can say where. */
export interface Venue {
  readonly providerName: string | null;
  readonly address: string | null;
  readonly city: string | null;
}

export interface OfferingSource {
  /** null when the catalog does not know the offering. Upstream failures throw AppError (502/504). */
  getOffering(id: string, requestId?: string): Promise<OfferingSnapshot | null>;
}

// ---------------------------------------------------------------------------------------
// Availability

/** Plain (JSON) shapes of the availability rules, as stored and as answered. */
export interface StoredInterval {
  start: string;
  end: string;
}
export interface StoredWeekly extends StoredInterval {
  day: Weekday;
}
export interface StoredException {
  date: string;
  closed?: boolean;
  intervals?: StoredInterval[];
}

export interface StoredAvailability {
  readonly providerId: string;
  readonly timeZone: string;
  readonly weekly: StoredWeekly[];
  readonly exceptions: StoredException[];
  readonly minNoticeMinutes: number;
  /** Booking horizon in days (see slots.ts). */
  readonly maxAdvanceDays: number;
  readonly updatedAt: Date;
}


export interface AvailabilityRepository {
  get(providerId: string): Promise<StoredAvailability | null>;
  /** Replaces the provider's availability as a whole. */
  put(value: Omit<StoredAvailability, 'updatedAt'>, at: Date): Promise<StoredAvailability>;
}

// ---------------------------------------------------------------------------------------
// Appointments

export type AppointmentStatus = 'booked' | 'cancelled';

export interface AppointmentRecord {
  readonly id: string;
  readonly status: AppointmentStatus;
  readonly providerId: string;
  readonly patientId: string;
  readonly offeringId: string;
  readonly serviceId: string;
  readonly serviceName: string;
  readonly modality: string;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly durationMinutes: number;
  readonly timeZone: string;
  readonly start: Date;
  readonly end: Date;
  readonly createdAt: Date;
  readonly cancelledAt: Date | null;
  readonly cancelledBy: 'patient' | 'provider' | null;
  readonly cancelReason: string | null;
}

export type NewAppointment = Omit<AppointmentRecord, 'id' | 'status' | 'cancelledAt' | 'cancelledBy' | 'cancelReason'> & {
  /** Not stored with the appointment (the catalog owns it); only put in the booked event. */
  readonly venue?: Venue;
};

export interface IdempotencyClaim {
  readonly key: string;
  readonly requestHash: string;
}

export type InsertOutcome =
  | { readonly kind: 'created'; readonly appointment: AppointmentRecord }
  /** The exclusion constraint refused it: the provider is busy at that time. */
  | { readonly kind: 'slot-taken' }
  /** Another request with this patient's Idempotency-Key committed first. */
  | { readonly kind: 'key-taken' };

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly appointment: AppointmentRecord;
}

export interface AppointmentFilter {
  /** Local dates (each appointment's own zone), inclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly status?: AppointmentStatus;
}

/** Keyset position: the last row of the previous page. */
export interface AppointmentPosition {
  readonly start: Date;
  readonly id: string;
}

export type CancelOutcome =
  | { readonly kind: 'cancelled'; readonly appointment: AppointmentRecord }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'already-cancelled' }
  | { readonly kind: 'started' };

export interface AppointmentRepository {
  /** Non-cancelled appointments of the provider overlapping [from, to). */
  busyIntervals(providerId: string, from: Date, to: Date): Promise<BusyInterval[]>;
  /** Inserts the appointment (and the idempotency key, same transaction, key first). */
  insert(appointment: NewAppointment, idempotency?: IdempotencyClaim): Promise<InsertOutcome>;
  findIdempotency(patientId: string, key: string): Promise<IdempotencyRecord | null>;
  /** The appointment if `actor` is its patient or its provider, else null. */
  findVisible(id: string, actor: Actor): Promise<AppointmentRecord | null>;
  /** The actor's appointments (as patient or as provider), by start then id, up to `limit`. */
  list(actor: Actor, filter: AppointmentFilter, limit: number, after?: AppointmentPosition): Promise<AppointmentRecord[]>;
  /** Cancels if visible to `actor`, still booked and not started at `now`; atomically. */
  cancel(id: string, actor: Actor, now: Date, reason: string | null): Promise<CancelOutcome>;
}
