// What the notifications tests share: a migrated database of their own, events as the
// producers write them, a config, and a clock that tests move by hand.
import { randomUUID } from 'node:crypto';
import { EventSources, EventTypes, type AppointmentBookedV1, type AppointmentCancelledV1, type ProfileUpdatedV1, type UserRegisteredV1 } from '@healthmatch/contracts';
import { runMigrations } from '@healthmatch/platform';
import { createEvent, ensureInboxTable, type CloudEvent } from '@healthmatch/platform/events';
import { createTestDatabase, type TestDatabase } from '@healthmatch/platform/testing';
import { loadNotificationsConfig, type NotificationsConfig } from '../config.ts';
import { createNotificationsDatabase, MIGRATIONS_FOLDER, type NotificationsDatabase } from '../db/database.ts';

export const newId = () => randomUUID();

export interface NotificationsTestDb {
  testDb: TestDatabase;
  database: NotificationsDatabase;
  close(): Promise<void>;
}

export async function openTestDatabase(prefix: string): Promise<NotificationsTestDb> {
  const testDb = await createTestDatabase(prefix);
  await runMigrations(testDb.url, MIGRATIONS_FOLDER, 'notifications');
  const database = createNotificationsDatabase(testDb.url);
  await ensureInboxTable(database.pool);
  return {
    testDb,
    database,
    async close() {
      await database.close();
      await testDb.drop();
    },
  };
}

export function testConfig(env: Record<string, string> = {}): NotificationsConfig {
  return loadNotificationsConfig({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused', MAIL_DIR: '.data/test-mail', LOG_LEVEL: 'silent', ...env });
}

/** A clock the test sets: `clock()` for the service, `clock.set(...)` / `clock.advance(ms)` for the test. */
export function manualClock(start: string | Date) {
  let now = new Date(start).getTime();
  const clock = () => new Date(now);
  return Object.assign(clock, {
    set: (at: string | Date) => {
      now = new Date(at).getTime();
    },
    advance: (ms: number) => {
      now += ms;
    },
  });
}

export interface AppointmentFixture {
  appointmentId: string;
  patientId: string;
  providerId: string;
  start: string;
  end: string;
  serviceName?: string;
  timeZone?: string;
  modality?: string;
}

export function appointmentFixture(overrides: Partial<AppointmentFixture> = {}): AppointmentFixture {
  return {
    appointmentId: newId(),
    patientId: newId(),
    providerId: newId(),
    start: '2026-12-10T08:30:00.000Z',
    end: '2026-12-10T09:00:00.000Z',
    ...overrides,
  };
}

function fields(a: AppointmentFixture) {
  return {
    appointmentId: a.appointmentId,
    patientId: a.patientId,
    providerId: a.providerId,
    offeringId: newIdFor(a.appointmentId, 'offering'),
    serviceId: newIdFor(a.appointmentId, 'service'),
    serviceName: a.serviceName ?? 'Prima visita cardiologica',
    start: a.start,
    end: a.end,
    timeZone: a.timeZone ?? 'Europe/Rome',
    modality: a.modality ?? 'in_person',
    price: { amount: 4500, currency: 'EUR' },
  };
}

// Stable per appointment, so two events of one appointment agree on offering and service.
const derived = new Map<string, string>();
function newIdFor(appointmentId: string, what: string): string {
  const k = `${appointmentId}:${what}`;
  let id = derived.get(k);
  if (!id) derived.set(k, (id = newId()));
  return id;
}

export function bookedEvent(a: AppointmentFixture, opts: { id?: string; venue?: AppointmentBookedV1['venue'] | null } = {}): CloudEvent<AppointmentBookedV1> {
  const venue = opts.venue === null ? {} : { venue: opts.venue ?? { providerName: 'Studio Medico Test', address: 'Via Roma 1', city: 'Roma' } };
  return createEvent({
    id: opts.id,
    source: EventSources.booking,
    type: EventTypes.appointmentBooked,
    subject: a.appointmentId,
    data: { ...fields(a), status: 'booked', ...venue },
  });
}

export function cancelledEvent(a: AppointmentFixture, by: 'patient' | 'provider' = 'patient', opts: { id?: string } = {}): CloudEvent<AppointmentCancelledV1> {
  return createEvent({
    id: opts.id,
    source: EventSources.booking,
    type: EventTypes.appointmentCancelled,
    subject: a.appointmentId,
    data: { ...fields(a), status: 'cancelled', cancelledBy: by, cancelledAt: new Date().toISOString() },
  });
}

export function profileUpdatedEvent(userId: string, locale: 'it' | 'en', updatedAt: string, role: 'patient' | 'provider' = 'patient'): CloudEvent<ProfileUpdatedV1> {
  return createEvent({ source: EventSources.users, type: EventTypes.profileUpdated, subject: userId, data: { userId, role, locale, updatedAt } });
}

export function registeredEvent(userId: string, email: string, role: 'patient' | 'provider' = 'patient', locale: 'it' | 'en' = 'it'): CloudEvent<UserRegisteredV1> {
  return createEvent({ source: EventSources.auth, type: EventTypes.userRegistered, subject: userId, data: { userId, role, email, locale } });
}
