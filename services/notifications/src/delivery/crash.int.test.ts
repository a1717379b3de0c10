// Crash between sending and recording, for real: the notifications process is killed
// (SIGKILL) while the SMTP server holds the message it just received. The next process
// takes the message over once the lease has run out and sends it again: the receiver has
// it twice, with one Message-ID (the documented at-most-one duplicate), never zero times,
// and the delivery log ends `sent` after 2 attempts.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationRepository } from '../db/notification-repository.ts';
import { notificationsEventHandler } from '../events/consumers.ts';
import { appointmentFixture, manualClock, openTestDatabase, registeredEvent, type NotificationsTestDb } from '../test-support/harness.ts';
import { startSmtpReceiver, type SmtpReceiver } from '@healthmatch/platform/testing';
import { planBooked } from '../domain/plan.ts';

const serverEntry = fileURLToPath(new URL('../server.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

describe('crash between sending and recording', () => {
  let t: NotificationsTestDb;
  let smtp: SmtpReceiver;
  const children: ChildProcess[] = [];

  const startService = (): ChildProcess => {
    const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: t.testDb.url,
        SMTP_URL: smtp.url,
        PORT: '0',
        LOG_LEVEL: 'warn',
        DELIVERY_LEASE_SECONDS: '2',
        DELIVERY_POLL_MS: '100',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

  beforeAll(async () => {
    t = await openTestDatabase('notif_crash');
    smtp = await startSmtpReceiver();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await smtp.close();
    await t.close();
  });

  it('the message arrives twice with the same Message-ID, and the log says sent after 2 attempts', async () => {
    // One queued message: the patient's confirmation (the provider has no contact, so only
    // the patient's message can reach the server).
    const clock = manualClock(new Date());
    const repo = notificationRepository(t.database);
    const handle = notificationsEventHandler({ database: t.database, repo, reminderOffsetsMinutes: [], now: clock, log: { warn: () => {} } });
    const a = appointmentFixture({ start: new Date(Date.now() + 86_400_000).toISOString(), end: new Date(Date.now() + 88_200_000).toISOString() });
    await handle(registeredEvent(a.patientId, 'crash@example.test'), { attempt: 1 });
    await t.database.db.transaction(async (tx) => {
      await repo.insertBooked(tx, { id: a.appointmentId, status: 'booked', patientId: a.patientId, providerId: a.providerId, serviceName: 'Visita', start: new Date(a.start), end: new Date(a.end), timeZone: 'Europe/Rome', modality: 'in_person', price: { amount: 1000, currency: 'EUR' }, providerName: null, address: null, city: null, cancelledBy: null }, clock());
      await repo.queue(tx, planBooked({ id: a.appointmentId, patientId: a.patientId, providerId: a.providerId, start: new Date(a.start) }, [], clock()).filter((p) => p.kind === 'appointment.confirmation'), clock());
    });

    const first = startService();
    smtp.onMessage = () => {
      first.kill('SIGKILL'); // the server has the message; the sender never hears 250
    };
    await smtp.waitFor(1, undefined, 30_000);
    await exited(first);
    smtp.onMessage = undefined;
    const [mid] = (await t.database.pool.query('select status, attempts from messages')).rows;
    expect(mid).toMatchObject({ status: 'sending', attempts: 1 });

    startService();
    const mails = await smtp.waitFor(2, undefined, 30_000);
    expect(mails).toHaveLength(2);
    expect(mails[0]!.parsed.messageId).toBe(mails[1]!.parsed.messageId);
    // The log catches up right after the second send.
    const deadline = Date.now() + 10_000;
    let final: { status: string; attempts: number; message_id: string } | undefined;
    while (Date.now() < deadline) {
      final = (await t.database.pool.query('select status, attempts, message_id from messages')).rows[0];
      if (final?.status === 'sent') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(final).toMatchObject({ status: 'sent', attempts: 2, message_id: mails[0]!.parsed.messageId });
    await new Promise((r) => setTimeout(r, 2500)); // beyond another lease: no third copy
    expect(smtp.mails).toHaveLength(2);
  }, 90_000);
});
