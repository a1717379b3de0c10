// The consumer on a real database: each event's effect happens once (inbox), read models
// follow the events whatever their order, and the right messages are queued.
import { EventTypes } from '@healthmatch/contracts';
import { createEvent } from '@healthmatch/platform/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationRepository, type NotificationRepository } from '../db/notification-repository.ts';
import { appointmentFixture, bookedEvent, cancelledEvent, manualClock, newId, openTestDatabase, profileUpdatedEvent, registeredEvent, type NotificationsTestDb } from '../test-support/harness.ts';
import { notificationsEventHandler } from './consumers.ts';

describe('notifications consumer', () => {
  let t: NotificationsTestDb;
  let repo: NotificationRepository;
  const clock = manualClock('2026-12-01T10:00:00Z');
  const warnings: string[] = [];
  let handle: ReturnType<typeof notificationsEventHandler>;

  const messagesOf = async (appointmentId: string) =>
    (await t.database.pool.query('select kind, recipient_id, status, not_before, reminder_offset_minutes from messages where appointment_id = $1 order by not_before, kind', [appointmentId])).rows as Array<{
      kind: string;
      recipient_id: string;
      status: string;
      not_before: Date;
      reminder_offset_minutes: number | null;
    }>;

  beforeAll(async () => {
    t = await openTestDatabase('notif_consumer');
    repo = notificationRepository(t.database);
    handle = notificationsEventHandler({
      database: t.database,
      repo,
      reminderOffsetsMinutes: [7 * 24 * 60, 24 * 60, 120],
      now: clock,
      log: { warn: (_o, msg) => warnings.push(msg) },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('booked: confirmation and provider notice now, reminders only where their moment is ahead', async () => {
    const a = appointmentFixture({ start: '2026-12-03T09:00:00.000Z', end: '2026-12-03T09:30:00.000Z' });
    await handle(bookedEvent(a), { attempt: 1 });
    const rows = await messagesOf(a.appointmentId);
    // 7 days before has passed already; 1 day and 2 hours before are ahead.
    expect(rows.map((r) => [r.kind, r.recipient_id, r.reminder_offset_minutes])).toEqual([
      ['appointment.confirmation', a.patientId, null],
      ['appointment.provider-notice', a.providerId, null],
      ['appointment.reminder', a.patientId, 1440],
      ['appointment.reminder', a.patientId, 120],
    ]);
    expect(rows[2]!.not_before.toISOString()).toBe('2026-12-02T09:00:00.000Z');
    expect(rows[3]!.not_before.toISOString()).toBe('2026-12-03T07:00:00.000Z');
    expect(rows.every((r) => r.status === 'queued')).toBe(true);
    const stored = await repo.appointment(a.appointmentId);
    expect(stored).toMatchObject({ status: 'booked', providerName: 'Studio Medico Test', address: 'Via Roma 1', city: 'Roma', sequence: 0 });
  });

  it('the same event delivered twice, or the same booking told by a second event, queues nothing more', async () => {
    const a = appointmentFixture();
    const event = bookedEvent(a);
    await handle(event, { attempt: 1 });
    await handle(event, { attempt: 2 });
    await handle(bookedEvent(a), { attempt: 1 }); // another event id, same appointment
    const rows = await messagesOf(a.appointmentId);
    expect(rows.filter((r) => r.kind === 'appointment.confirmation')).toHaveLength(1);
    expect(rows.filter((r) => r.kind === 'appointment.provider-notice')).toHaveLength(1);
  });

  it('the same event delivered to two handlers at once is applied once', async () => {
    const a = appointmentFixture();
    const event = bookedEvent(a);
    await Promise.all(Array.from({ length: 8 }, (_, i) => handle(event, { attempt: i + 1 })));
    const rows = await messagesOf(a.appointmentId);
    expect(rows.filter((r) => r.kind === 'appointment.confirmation')).toHaveLength(1);
  });

  it('cancelled: pending reminders are cancelled, the patient and the provider are told, the invite sequence grows', async () => {
    const a = appointmentFixture();
    await handle(bookedEvent(a), { attempt: 1 });
    await handle(cancelledEvent(a, 'provider'), { attempt: 1 });
    const rows = await messagesOf(a.appointmentId);
    const reminders = rows.filter((r) => r.kind === 'appointment.reminder');
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((r) => r.status === 'cancelled')).toBe(true);
    expect(rows.filter((r) => r.kind === 'appointment.cancellation').map((r) => r.recipient_id)).toEqual([a.patientId]);
    expect(rows.filter((r) => r.kind === 'appointment.provider-cancellation').map((r) => r.recipient_id)).toEqual([a.providerId]);
    expect(await repo.appointment(a.appointmentId)).toMatchObject({ status: 'cancelled', cancelledBy: 'provider', sequence: 1 });
    // A second cancellation event changes nothing.
    await handle(cancelledEvent(a, 'provider'), { attempt: 1 });
    expect((await messagesOf(a.appointmentId)).length).toBe(rows.length);
  });

  it('a cancellation that overtakes its booking: the late booking neither revives it nor sends a confirmation', async () => {
    const a = appointmentFixture();
    await handle(cancelledEvent(a), { attempt: 1 });
    await handle(bookedEvent(a), { attempt: 1 });
    const rows = await messagesOf(a.appointmentId);
    expect(rows.map((r) => r.kind).sort()).toEqual(['appointment.cancellation', 'appointment.provider-cancellation']);
    expect(await repo.appointment(a.appointmentId)).toMatchObject({ status: 'cancelled' });
  });

  it('user registered: the contact is kept; an address with a line break is stored as unusable, never as given', async () => {
    const good = newId();
    await handle(registeredEvent(good, 'Mario.Rossi@Example.IT', 'patient', 'en'), { attempt: 1 });
    expect(await repo.contact(good)).toMatchObject({ email: 'Mario.Rossi@example.it', locale: 'en', role: 'patient' });
    const evil = newId();
    await handle(registeredEvent(evil, 'victim@example.it\r\nBcc: everyone@example.it'), { attempt: 1 });
    expect(await repo.contact(evil)).toMatchObject({ email: null });
    expect(warnings.some((w) => w.includes('unusable e-mail'))).toBe(true);
  });

  it('profile updated: the language follows the newest change to the microsecond, a late older change is ignored', async () => {
    const user = newId();
    await handle(registeredEvent(user, 'anna.bianchi@example.it', 'patient', 'it'), { attempt: 1 });
    await handle(profileUpdatedEvent(user, 'en', '2026-12-01T10:05:00.000200Z'), { attempt: 1 });
    expect(await repo.contact(user)).toMatchObject({ locale: 'en', email: 'anna.bianchi@example.it' });
    // Earlier changes delivered late (one only microseconds earlier) do not undo the later one.
    await handle(profileUpdatedEvent(user, 'it', '2026-12-01T10:05:00.000199Z'), { attempt: 1 });
    await handle(profileUpdatedEvent(user, 'it', '2026-12-01T10:04:00.000000Z'), { attempt: 1 });
    expect(await repo.contact(user)).toMatchObject({ locale: 'en' });
    await handle(profileUpdatedEvent(user, 'it', '2026-12-01T10:05:00.000201Z'), { attempt: 1 });
    expect(await repo.contact(user)).toMatchObject({ locale: 'it' });
  });

  it('a language change that overtakes the registration is kept, and the messages the registration releases use it', async () => {
    const a = appointmentFixture();
    // The booking and the language change arrive before the patient's registration.
    await handle(registeredEvent(a.providerId, `prov-${a.providerId.slice(0, 8)}@example.it`, 'provider', 'it'), { attempt: 1 });
    await handle(bookedEvent(a), { attempt: 1 });
    await handle(profileUpdatedEvent(a.patientId, 'en', '2026-12-01T10:07:00.000000Z'), { attempt: 1 });
    expect(await repo.contact(a.patientId)).toBeNull();
    // The registration still says 'it', as it was when the account was made.
    await handle(registeredEvent(a.patientId, 'luca.verdi@example.it', 'patient', 'it'), { attempt: 1 });
    expect(await repo.contact(a.patientId)).toMatchObject({ locale: 'en', email: 'luca.verdi@example.it' });
  });

  it('data that breaks its contract is refused (retried, then dead-lettered by the transport) and leaves nothing behind', async () => {
    const bad = createEvent({ source: '/healthmatch/booking', type: EventTypes.appointmentBooked, subject: 'x', data: { appointmentId: 'not-a-uuid' } });
    await expect(handle(bad, { attempt: 1 })).rejects.toThrow(/breaks the contract/);
    const inbox = await t.database.pool.query('select 1 from inbox where event_id = $1', [bad.id]);
    expect(inbox.rowCount).toBe(0);
  });
});
