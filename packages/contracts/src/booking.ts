// HTTP DTOs of the booking service: availability, slots, appointments.
import { Type, type Static } from '@sinclair/typebox';
import { DateOnly, Instant, Money, Text, Uuid, page } from './common.ts';

export const Weekday = Type.Union((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => Type.Literal(d)));
export const WallClock = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$', description: 'HH:MM in the provider zone' });
export const TimeZone = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_+/-]+$', description: 'IANA time zone, e.g. Europe/Rome' });

/** Booking horizon of a provider when not given: about six months. */
export const DEFAULT_MAX_ADVANCE_DAYS = 180;
/** Longest booking horizon a provider may set: two years. */
export const MAX_ADVANCE_DAYS_LIMIT = 730;

export const Interval = Type.Object({ start: WallClock, end: WallClock }, { additionalProperties: false });
export const WeeklyInterval = Type.Object({ day: Weekday, start: WallClock, end: WallClock }, { additionalProperties: false });
export const DateException = Type.Object(
  {
    date: DateOnly,
    closed: Type.Optional(Type.Boolean()),
    intervals: Type.Optional(Type.Array(Interval, { maxItems: 24 })),
  },
  { additionalProperties: false },
);

export const AvailabilityInput = Type.Object(
  {
    timeZone: TimeZone,
    weekly: Type.Array(WeeklyInterval, { maxItems: 100 }),
    exceptions: Type.Optional(Type.Array(DateException, { maxItems: 500 })),
    minNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 * 24 * 60 })),
    maxAdvanceDays: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_ADVANCE_DAYS_LIMIT,
        description: `booking horizon: slots are offered up to this many days after today (provider's zone), default ${DEFAULT_MAX_ADVANCE_DAYS}`,
      }),
    ),
  },
  { additionalProperties: false },
);
export type AvailabilityInput = Static<typeof AvailabilityInput>;

export const Availability = Type.Object({
  providerId: Uuid,
  timeZone: Type.String(),
  weekly: Type.Array(WeeklyInterval),
  exceptions: Type.Array(DateException),
  minNoticeMinutes: Type.Integer(),
  maxAdvanceDays: Type.Integer(),
  updatedAt: Instant,
});
export type Availability = Static<typeof Availability>;

export const SlotsQuery = Type.Object(
  { offeringId: Uuid, from: DateOnly, to: DateOnly },
  { additionalProperties: false },
);
export type SlotsQuery = Static<typeof SlotsQuery>;
export const Slot = Type.Object({ start: Instant, end: Instant });
export const SlotsResponse = Type.Object({ offeringId: Uuid, timeZone: Type.String(), slots: Type.Array(Slot) });
export type SlotsResponse = Static<typeof SlotsResponse>;

export const AppointmentStatus = Type.Union([Type.Literal('booked'), Type.Literal('cancelled')]);

export const BookInput = Type.Object({ offeringId: Uuid, start: Instant }, { additionalProperties: false });
export type BookInput = Static<typeof BookInput>;
export const CancelInput = Type.Object({ reason: Type.Optional(Text(500)) }, { additionalProperties: false });
export type CancelInput = Static<typeof CancelInput>;

export const Appointment = Type.Object({
  id: Uuid,
  status: AppointmentStatus,
  start: Instant,
  end: Instant,
  timeZone: Type.String(),
  offeringId: Uuid,
  serviceId: Uuid,
  serviceName: Type.String(),
  providerId: Uuid,
  patientId: Uuid,
  price: Money,
  durationMinutes: Type.Integer(),
  modality: Type.String(),
  createdAt: Instant,
  cancelledAt: Type.Union([Instant, Type.Null()]),
  cancelledBy: Type.Union([Type.Literal('patient'), Type.Literal('provider'), Type.Null()]),
  cancelReason: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'free text given at cancellation; shown only to the two parties' })),
});
export type Appointment = Static<typeof Appointment>;
export const AppointmentsPage = page(Appointment);
export const AppointmentIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
export type AppointmentIdParams = Static<typeof AppointmentIdParams>;

export const AppointmentsQuery = Type.Object(
  {
    from: Type.Optional(DateOnly),
    to: Type.Optional(DateOnly),
    status: Type.Optional(AppointmentStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$', description: 'cursor from nextCursor' })),
  },
  { additionalProperties: false },
);
export type AppointmentsQuery = Static<typeof AppointmentsQuery>;
export const IdempotencyKeyHeader = Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21-\\x7e]+$', description: 'key of printable ASCII characters without spaces' });
