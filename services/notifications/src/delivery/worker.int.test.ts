// The delivery worker against a real database and a real SMTP server on loopback: what
// arrives, with which headers and invite; reminders under a clock the test moves; retries,
// permanent failures, and two workers sharing one queue without sending anything twice.
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { notificationRepository, type NotificationRepository } from '../db/notification-repository.ts';
import { notificationsEventHandler } from '../events/consumers.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import { appointmentFixture, bookedEvent, cancelledEvent, manualClock, newId, openTestDatabase, registeredEvent, type NotificationsTestDb } from '../test-support/harness.ts';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '@healthmatch/platform/testing';
import { createDeliveryWorker, type DeliveryWorker } from './worker.ts';

const quiet = { info: () => {}, warn: () => {}, error: () => {} };

function calendarOf(mail: ReceivedMail): { method: string; event: ICAL.Event; vevent: ICAL.Component } {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar') ?? null;
  const raw = part ? part.content.toString('utf8') : (/BEGIN:VCALENDAR[\s\S]*END:VCALENDAR/.exec(mail.raw.replace(/=\r?\n/g, ''))?.[0] ?? '');
  const root = new ICAL.Component(ICAL.parse(raw));
  for (const tz of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const vevent = root.getFirstSubcomponent('vevent')!;
  return { method: String(root.getFirstPropertyValue('method')), event: new ICAL.Event(vevent), vevent };
}

describe('delivery worker', () => {
  let t: NotificationsTestDb;
  let repo: NotificationRepository;
  let smtp: SmtpReceiver;
  let mailer: Mailer;
  const clock = manualClock('2026-12-01T10:00:00Z');
  let handle: ReturnType<typeof notificationsEventHandler>;
  const workers: DeliveryWorker[] = [];

  const worker = (opts: { maxAttempts?: number; leaseMs?: number; pollMs?: number } = {}) => {
    const w = createDeliveryWorker({
      repo,
      mailer,
      from: { address: 'no-reply@healthmatch.test', name: 'HealthMatch' },
      dueClock: clock,
      maxAttempts: opts.maxAttempts ?? 5,
      leaseMs: opts.leaseMs ?? 60_000,
      pollMs: opts.pollMs ?? 60_000,
      retryBaseMs: 20,
      log: quiet,
    });
    workers.push(w);
    return w;
  };
  const row = async (recipientId: string, kind: string) =>
    (await t.database.pool.query('select * from messages where recipient_id = $1 and kind = $2', [recipientId, kind])).rows[0] as {
      id: string;
      status: string;
      attempts: number;
      last_error: string | null;
      message_id: string;
      to_address: string | null;
      subject: string | null;
    };
  const mailsTo = (address: string) => smtp.mails.filter((m) => m.envelopeTo.includes(address));

  beforeAll(async () => {
    t = await openTestDatabase('notif_worker');
    repo = notificationRepository(t.database);
    smtp = await startSmtpReceiver();
    mailer = createMailer({ smtpUrl: smtp.url, timeoutMs: 3000 });
    handle = notificationsEventHandler({ database: t.database, repo, reminderOffsetsMinutes: [1440], now: clock, log: quiet });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  });
  afterAll(async () => {
    mailer.close();
    await smtp.close();
    await t.close();
  });

  async function bookWithContacts(overrides: Parameters<typeof appointmentFixture>[0] = {}, locales: ['it' | 'en', 'it' | 'en'] = ['en', 'it']) {
    const a = appointmentFixture(overrides);
    const patient = `patient-${a.patientId.slice(0, 8)}@example.test`;
    const provider = `provider-${a.providerId.slice(0, 8)}@example.test`;
    await handle(registeredEvent(a.patientId, patient, 'patient', locales[0]), { attempt: 1 });
    await handle(registeredEvent(a.providerId, provider, 'provider', locales[1]), { attempt: 1 });
    await handle(bookedEvent(a), { attempt: 1 });
    return { a, patient, provider };
  }

  it('booked: the patient gets a confirmation with a REQUEST invite in the provider zone, the provider a notice', async () => {
    const { a, patient, provider } = await bookWithContacts({ start: '2026-12-10T08:30:00.000Z', end: '2026-12-10T09:00:00.000Z' });
    await worker().runOnce();
    const [confirmation] = mailsTo(patient);
    expect(confirmation).toBeDefined();
    const stored = await row(a.patientId, 'appointment.confirmation');
    expect(stored).toMatchObject({ status: 'sent', attempts: 1, to_address: patient, last_error: null });
    expect(confirmation!.parsed.messageId).toBe(stored.message_id);
    expect(confirmation!.parsed.subject).toBe(stored.subject);
    expect(confirmation!.parsed.subject).not.toMatch(/cardiolog/i);
    expect(confirmation!.parsed.from?.value[0]?.address).toBe('no-reply@healthmatch.test');
    expect(confirmation!.parsed.text).toContain('Prima visita cardiologica');
    expect(confirmation!.parsed.text).toContain('9:30'); // 08:30Z is 09:30 in Rome
    expect(confirmation!.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const cal = calendarOf(confirmation!);
    expect(cal.method).toBe('REQUEST');
    expect(cal.event.uid).toBe(`${a.appointmentId}@healthmatch`);
    expect(cal.event.startDate.toJSDate().toISOString()).toBe(a.start);
    expect(cal.event.endDate.toJSDate().toISOString()).toBe(a.end);
    expect(cal.vevent.getFirstProperty('dtstart')?.getParameter('tzid')).toBe('Europe/Rome');

    const [notice] = mailsTo(provider);
    expect(notice).toBeDefined();
    expect(notice!.parsed.subject).toMatch(/prenotazione/i); // the provider's locale is it
    expect(await row(a.providerId, 'appointment.provider-notice')).toMatchObject({ status: 'sent', to_address: provider });
  });

  it('cancelled: the patient gets METHOD:CANCEL with the same UID and a higher SEQUENCE, the reminder never goes', async () => {
    const { a, patient, provider } = await bookWithContacts({ start: '2026-12-12T08:30:00.000Z', end: '2026-12-12T09:00:00.000Z' });
    const w = worker();
    await w.runOnce();
    await handle(cancelledEvent(a, 'patient'), { attempt: 1 });
    await w.runOnce();
    const mails = mailsTo(patient);
    expect(mails).toHaveLength(2);
    const request = calendarOf(mails[0]!);
    const cancel = calendarOf(mails[1]!);
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.event.uid).toBe(request.event.uid);
    expect(Number(cancel.vevent.getFirstPropertyValue('sequence'))).toBeGreaterThan(Number(request.vevent.getFirstPropertyValue('sequence')));
    expect(String(cancel.vevent.getFirstPropertyValue('status'))).toBe('CANCELLED');
    expect(mailsTo(provider)).toHaveLength(2);
    // Time passes beyond the reminder's moment: nothing more goes out.
    clock.set('2026-12-11T09:00:00Z');
    await w.runOnce();
    expect(mailsTo(patient)).toHaveLength(2);
    expect(await row(a.patientId, 'appointment.reminder')).toMatchObject({ status: 'cancelled', last_error: 'appointment cancelled' });
    clock.set('2026-12-01T10:00:00Z');
  });

  it('a reminder goes out when the clock reaches its moment, once', async () => {
    const { a, patient } = await bookWithContacts({ start: '2026-12-20T15:00:00.000Z', end: '2026-12-20T15:30:00.000Z' });
    const w = worker();
    await w.runOnce();
    expect(mailsTo(patient)).toHaveLength(1); // the confirmation only
    clock.set('2026-12-19T14:59:59Z');
    await w.runOnce();
    expect(mailsTo(patient)).toHaveLength(1);
    clock.set('2026-12-19T15:00:00Z');
    await w.runOnce();
    await w.runOnce();
    const mails = mailsTo(patient);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.parsed.subject).toMatch(/reminder/i);
    expect(await row(a.patientId, 'appointment.reminder')).toMatchObject({ status: 'sent', attempts: 1 });
    clock.set('2026-12-01T10:00:00Z');
  });

  it('a recipient whose registration has not arrived yet is retried, and served once it arrives', async () => {
    const a = appointmentFixture();
    await handle(bookedEvent(a), { attempt: 1 });
    const w = worker();
    await w.runOnce();
    expect(await row(a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'queued', attempts: 1, last_error: 'recipient address not known yet' });
    expect((await t.database.pool.query("select not_before > $1 as later from messages where recipient_id = $2 and kind = 'appointment.confirmation'", [clock(), a.patientId])).rows).toEqual([{ later: true }]);
    const address = `late-${a.patientId.slice(0, 8)}@example.test`;
    // The registration releases the waiting message at once: no waiting for the retry delay.
    await handle(registeredEvent(a.patientId, address), { attempt: 1 });
    await w.runOnce();
    expect(await row(a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    expect(mailsTo(address)).toHaveLength(1);
  });

  it('a 550 fails the message at once with the reason; a 451 is retried until the server takes it; attempts are bounded', async () => {
    const rejected = await bookWithContacts();
    smtp.rejectRecipient(rejected.patient, 550);
    const w = worker({ maxAttempts: 3 });
    await w.runOnce();
    const failed = await row(rejected.a.patientId, 'appointment.confirmation');
    expect(failed.status).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.last_error).toMatch(/550/);

    const later = await bookWithContacts();
    smtp.rejectRecipient(later.patient, 451);
    await w.runOnce();
    expect(await row(later.a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'queued', attempts: 1 });
    smtp.acceptRecipient(later.patient);
    clock.advance(60_000);
    await w.runOnce();
    expect(await row(later.a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'sent', attempts: 2 });

    const never = await bookWithContacts();
    smtp.rejectRecipient(never.patient, 451);
    for (let i = 0; i < 3; i++) {
      clock.advance(3_600_000);
      await w.runOnce();
    }
    const gaveUp = await row(never.a.patientId, 'appointment.confirmation');
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 3 });
    expect(gaveUp.last_error).toMatch(/gave up after 3 attempts/);
    expect(mailsTo(never.patient)).toHaveLength(0);
  });

  it('an address refused at registration never reaches a header: the message fails with a reason', async () => {
    const a = appointmentFixture();
    await handle(registeredEvent(a.patientId, 'x@example.test\r\nBcc: all@example.test'), { attempt: 1 });
    await handle(bookedEvent(a), { attempt: 1 });
    const before = smtp.mails.length;
    await worker().runOnce();
    expect(await row(a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'failed', last_error: 'recipient has no usable e-mail address' });
    expect(smtp.mails.slice(before).some((m) => m.raw.includes('all@example.test'))).toBe(false);
  });

  it('two workers draining one queue send every message exactly once', async () => {
    const booked: Array<{ patient: string; provider: string }> = [];
    for (let i = 0; i < 15; i++) booked.push(await bookWithContacts());
    const before = smtp.mails.length;
    const a = worker();
    const b = worker();
    for (let round = 0; round < 10; round++) await Promise.all([a.runOnce(), b.runOnce()]);
    const fresh = smtp.mails.slice(before);
    expect(fresh).toHaveLength(30);
    expect(new Set(fresh.map((m) => m.parsed.messageId)).size).toBe(30);
    for (const { patient, provider } of booked) {
      expect(mailsTo(patient)).toHaveLength(1);
      expect(mailsTo(provider)).toHaveLength(1);
    }
  });

  it('a slow mail server: the claim is held for as long as the send takes, nothing goes twice, and other mail goes on meanwhile', async () => {
    const slow = await bookWithContacts();
    let slowAnswered = false;
    smtp.onMessage = async (mail) => {
      if (!mail.envelopeTo.includes(slow.patient)) return;
      // Far longer than the lease: a worker that did not renew it would lose the claim.
      await new Promise((r) => setTimeout(r, 2_500));
      slowAnswered = true;
    };
    try {
      const a = worker({ leaseMs: 600, pollMs: 100 });
      a.start();
      await smtp.waitFor(1, (m) => m.envelopeTo.includes(slow.patient), 5_000);
      // A second replica keeps looking for work (and for claims whose lease ran out).
      const b = worker({ leaseMs: 600 });
      const competitor = (async () => {
        while (!slowAnswered) {
          await b.runOnce();
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      // New mail while the slow send is still waiting for its answer goes out at once.
      const fast = await bookWithContacts();
      a.kick();
      await smtp.waitFor(1, (m) => m.envelopeTo.includes(fast.patient), 2_000);
      expect(slowAnswered).toBe(false);
      expect((await row(slow.a.patientId, 'appointment.confirmation')).status).toBe('sending');
      await competitor;
      await vi.waitFor(async () => expect((await row(slow.a.patientId, 'appointment.confirmation')).status).toBe('sent'), { timeout: 3_000, interval: 50 });
      expect(await row(slow.a.patientId, 'appointment.confirmation')).toMatchObject({ status: 'sent', attempts: 1 });
      await new Promise((r) => setTimeout(r, 1_000)); // a late duplicate would show up here
      expect(mailsTo(slow.patient)).toHaveLength(1);
      expect(mailsTo(fast.patient)).toHaveLength(1);
    } finally {
      smtp.onMessage = undefined;
    }
  });

  it('a second delivery of the same event sends nothing more', async () => {
    const a = appointmentFixture();
    const patient = `redelivered-${a.patientId.slice(0, 8)}@example.test`;
    await handle(registeredEvent(a.patientId, patient), { attempt: 1 });
    await handle(registeredEvent(a.providerId, `p-${newId().slice(0, 8)}@example.test`, 'provider'), { attempt: 1 });
    const event = bookedEvent(a);
    await handle(event, { attempt: 1 });
    const w = worker();
    await w.runOnce();
    await handle(event, { attempt: 2 });
    await w.runOnce();
    expect(mailsTo(patient)).toHaveLength(1);
  });
});
