// The notifications service's consumer: appointment booked/cancelled, user registered and
// profile updated (the language of a user's messages).
// Each event is handled once (the kit's inbox row commits with the effect): it updates the
// read models and queues messages; the delivery worker sends them. Nothing here talks to
// a mail server, so a slow or failing mail server never holds an event.
import {
  AppointmentBookedV1,
  AppointmentCancelledV1,
  EventTypes,
  ProfileUpdatedV1,
  UserRegisteredV1,
  type AppointmentBookedV1 as Booked,
  type AppointmentCancelledV1 as Cancelled,
} from '@healthmatch/contracts';
import { compileSchemaCheck } from '@healthmatch/platform';
import { inboxHandler, type CloudEvent, type EventHandler } from '@healthmatch/platform/events';
import { parseMailAddress } from '../domain/addresses.ts';
import { planBooked, planCancelled } from '../domain/plan.ts';
import type { NotificationsDatabase, NotificationsTx } from '../db/database.ts';
import type { AppointmentInput, NotificationRepository } from '../db/notification-repository.ts';

export const CONSUMER = 'notifications';
export const CONSUMED_TYPES = [EventTypes.appointmentBooked, EventTypes.appointmentCancelled, EventTypes.userRegistered, EventTypes.profileUpdated] as const;

const checks = {
  [EventTypes.appointmentBooked]: compileSchemaCheck(AppointmentBookedV1),
  [EventTypes.appointmentCancelled]: compileSchemaCheck(AppointmentCancelledV1),
  [EventTypes.userRegistered]: compileSchemaCheck(UserRegisteredV1),
  [EventTypes.profileUpdated]: compileSchemaCheck(ProfileUpdatedV1),
};

/** Data that breaks its contract: retried (a deploy may fix the consumer), then dead-lettered. */
export class InvalidEventDataError extends Error {
  constructor(type: string, problems: string[]) {
    super(`${type}: data breaks the contract: ${problems.join('; ')}`);
    this.name = 'InvalidEventDataError';
  }
}

function validData<T>(event: CloudEvent, type: keyof typeof checks): T {
  const check = checks[type];
  if (!check.check(event.data)) throw new InvalidEventDataError(type, check.errors('data').slice(0, 5).map((e) => `${e.field} ${e.message}`));
  return event.data as T;
}

function appointmentInput(d: Booked | Cancelled): AppointmentInput {
  const venue = 'venue' in d ? d.venue : undefined;
  return {
    id: d.appointmentId,
    status: d.status,
    patientId: d.patientId,
    providerId: d.providerId,
    serviceName: d.serviceName,
    start: new Date(d.start),
    end: new Date(d.end),
    timeZone: d.timeZone,
    modality: d.modality,
    price: d.price,
    providerName: venue?.providerName ?? null,
    address: venue?.address ?? null,
    city: venue?.city ?? null,
    cancelledBy: d.status === 'cancelled' ? d.cancelledBy : null,
  };
}

export interface ConsumerDeps {
  database: NotificationsDatabase;
  repo: NotificationRepository;
  reminderOffsetsMinutes: readonly number[];
  now: () => Date;
  log: { warn(obj: object, msg: string): void };
}

/** The effect of one event, inside the transaction that also records it in the inbox. */
export async function applyEvent(deps: ConsumerDeps, tx: NotificationsTx, event: CloudEvent): Promise<void> {
  const now = deps.now();
  switch (event.type) {
    case EventTypes.userRegistered: {
      const d = validData<UserRegisteredV1>(event, EventTypes.userRegistered);
      const email = parseMailAddress(d.email);
      // An address we cannot write to safely is kept as "none": messages to this user fail
      // with a reason in the delivery log instead of reaching a mail header.
      if (!email) deps.log.warn({ userId: d.userId, eventId: event.id }, 'registered user has an unusable e-mail address; messages to them will fail');
      // Also releases messages that were waiting for this address.
      await deps.repo.upsertContact(tx, { userId: d.userId, role: d.role, email, locale: d.locale }, now);
      return;
    }
    case EventTypes.profileUpdated: {
      const d = validData<ProfileUpdatedV1>(event, EventTypes.profileUpdated);
      // Kept even when the registration has not arrived yet (events of auth and users are not
      // ordered): the messages it releases are then written in the new language.
      await deps.repo.recordLocaleChange(tx, d.userId, d.locale, d.updatedAt);
      return;
    }
    case EventTypes.appointmentBooked: {
      const d = validData<Booked>(event, EventTypes.appointmentBooked);
      const a = appointmentInput(d);
      if (await deps.repo.insertBooked(tx, a, now)) {
        await deps.repo.queue(tx, planBooked(a, deps.reminderOffsetsMinutes, now), now);
      }
      return;
    }
    case EventTypes.appointmentCancelled: {
      const d = validData<Cancelled>(event, EventTypes.appointmentCancelled);
      const a = appointmentInput(d);
      if (await deps.repo.applyCancelled(tx, a, now)) {
        await deps.repo.queue(tx, planCancelled(a, now), now);
      }
      return;
    }
    default:
      // Subscribed types only reach here; anything else is acknowledged and ignored.
      deps.log.warn({ type: event.type, eventId: event.id }, 'event of a type this consumer does not handle');
  }
}

export function notificationsEventHandler(deps: ConsumerDeps): EventHandler {
  return inboxHandler(deps.database.db, CONSUMER, (tx: NotificationsTx, event) => applyEvent(deps, tx, event));
}
