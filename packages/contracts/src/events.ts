// Integration events (ARCHITECTURE.md, Events): the `data` of CloudEvents envelopes,
// versioned by type name `<service>.<entity>.<past-tense>.v<N>`. The envelope's `subject`
// is the entity id. A consumer validates `data` against these schemas; a breaking change
// is a new type (v2), never an edit of a published one.
import { Type, type Static } from '@sinclair/typebox';
import { Instant, Money, Role, Uuid } from './common.ts';

export const EventTypes = {
  appointmentBooked: 'booking.appointment.booked.v1',
  appointmentCancelled: 'booking.appointment.cancelled.v1',
  userRegistered: 'auth.user.registered.v1',
  profileUpdated: 'users.profile.updated.v1',
} as const;
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

export const EventSources = {
  booking: '/healthmatch/booking',
  auth: '/healthmatch/auth',
  users: '/healthmatch/users',
} as const;

const appointmentFields = {
  appointmentId: Uuid,
  patientId: Uuid,
  providerId: Uuid,
  offeringId: Uuid,
  serviceId: Uuid,
  serviceName: Type.String(),
  start: Instant,
  end: Instant,
  timeZone: Type.String({ minLength: 1, description: 'IANA zone of the provider at booking time' }),
  modality: Type.String({ minLength: 1, description: 'in_person or telehealth' }),
  price: Money,
};

/** Provider name and place as the catalog showed them at booking time (null when unknown). */
export const AppointmentVenue = Type.Object(
  {
    providerName: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([Type.String(), Type.Null()]),
    city: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

/** booking.appointment.booked.v1; subject = appointmentId. `venue` is optional (added compatibly). */
export const AppointmentBookedV1 = Type.Object(
  { ...appointmentFields, status: Type.Literal('booked'), venue: Type.Optional(AppointmentVenue) },
  { additionalProperties: false },
);
export type AppointmentBookedV1 = Static<typeof AppointmentBookedV1>;

/** booking.appointment.cancelled.v1; subject = appointmentId. The free-text reason stays in booking (it may hold health data). */
export const AppointmentCancelledV1 = Type.Object(
  {
    ...appointmentFields,
    status: Type.Literal('cancelled'),
    cancelledBy: Type.Union([Type.Literal('patient'), Type.Literal('provider')]),
    cancelledAt: Instant,
  },
  { additionalProperties: false },
);
export type AppointmentCancelledV1 = Static<typeof AppointmentCancelledV1>;

/** auth.user.registered.v1; subject = userId. No password-related data, ever. */
export const UserRegisteredV1 = Type.Object(
  {
    userId: Uuid,
    role: Role,
    email: Type.String({ minLength: 3, description: 'as registered; notifications write to it' }),
    locale: Type.Union([Type.Literal('it'), Type.Literal('en')], { description: 'language of messages' }),
  },
  { additionalProperties: false },
);
export type UserRegisteredV1 = Static<typeof UserRegisteredV1>;

/**
 * users.profile.updated.v1; subject = userId. Sent on every change of a profile, carrying
 * only what other services keep of it (the language of messages), never the profile itself.
 * `updatedAt` orders changes: events are not delivered in order.
 */
export const ProfileUpdatedV1 = Type.Object(
  {
    userId: Uuid,
    role: Type.Union([Type.Literal('patient'), Type.Literal('provider')]),
    locale: Type.Union([Type.Literal('it'), Type.Literal('en')], { description: 'language of messages' }),
    updatedAt: Instant,
  },
  { additionalProperties: false },
);
export type ProfileUpdatedV1 = Static<typeof ProfileUpdatedV1>;

/** The data schema of each event type, for consumers and contract tests. */
export const EventDataSchemas = {
  [EventTypes.appointmentBooked]: AppointmentBookedV1,
  [EventTypes.appointmentCancelled]: AppointmentCancelledV1,
  [EventTypes.userRegistered]: UserRegisteredV1,
  [EventTypes.profileUpdated]: ProfileUpdatedV1,
} as const;
