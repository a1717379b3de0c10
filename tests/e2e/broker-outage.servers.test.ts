// The distributed mode end to end: events through RabbitMQ (AMQP_URL), mail through a real
// SMTP server (SMTP_URL; the smtp-server package on loopback). RabbitMQ is stopped while
// patients book: every booking still succeeds (the events wait in booking's outbox), and
// once the broker is back every confirmation arrives exactly once. Then one event is
// published a second time (the same CloudEvent, as a broker redelivery would bring it):
// no second e-mail. Needs RabbitMQ on 127.0.0.1 and rabbitmqctl (run by .ci/run with
// HM_SERVERS_TESTS=1); a vhost of its own keeps its queues apart from anything else.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createRabbitMqTransport, type CloudEvent } from '@healthmatch/platform/events';
import { startSmtpReceiver, type ReceivedMail, type SmtpReceiver } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, client, expectStatus, freeSlots, providerWithOffering, registerPatient, startE2EPlatform, type Account, type Client, type E2EPlatform } from './platform.ts';

const vhost = `hm-outage-${randomUUID().slice(0, 8)}`;
const AMQP_URL = `amqp://guest:guest@127.0.0.1:5672/${vhost}`;
const rabbitmqctl = (...args: string[]) => execFileSync('rabbitmqctl', args, { stdio: 'pipe', timeout: 120_000 }).toString();

const calendarOf = (m: ReceivedMail) => m.parsed.attachments.find((a) => a.contentType === 'text/calendar')?.content.toString('utf8').replace(/\r\n[ \t]/g, '') ?? '';
const uidOf = (m: ReceivedMail) => /^UID:(\S+)/m.exec(calendarOf(m))?.[1];

describe('RabbitMQ and SMTP: a broker outage while patients book', () => {
  let e2e: E2EPlatform;
  let api: Client;
  let smtp: SmtpReceiver;
  let brokerStopped = false;

  beforeAll(async () => {
    rabbitmqctl('add_vhost', vhost);
    rabbitmqctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*');
    smtp = await startSmtpReceiver();
    e2e = await startE2EPlatform({ extraEnv: { AMQP_URL, SMTP_URL: smtp.url } });
    api = client(e2e.gateway);
  }, 240_000);
  afterAll(async () => {
    if (brokerStopped) rabbitmqctl('start_app');
    await e2e?.stop();
    await smtp?.close();
    await agent.close();
    try {
      rabbitmqctl('delete_vhost', vhost);
    } catch {
      // already gone
    }
  }, 240_000);

  it('the launcher passed RabbitMQ and SMTP on: no events database, mail to the SMTP server', () => {
    expect(e2e.platform.databaseUrls.events).toBeUndefined();
    expect(e2e.platform.mail).toEqual({ kind: 'smtp', host: `127.0.0.1:${smtp.port}` });
  });

  it('bookings made while RabbitMQ is down all succeed; afterwards each confirmation arrives exactly once', { timeout: 300_000 }, async () => {
    const { offering } = await providerWithOffering(api, 'Studio Interruzione Prova');
    const patients: Account[] = [];
    for (let i = 0; i < 4; i++) patients.push(await registerPatient(api, 'Paola', `Interruzione${i}`));
    const slots = await freeSlots(api, offering.id);

    // Warm-up with the broker up: the path works, and the delay booking -> mail is measured.
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const t0 = Date.now();
      const a = expectStatus(await api.post('/api/v1/booking/appointments', { token: patients[i]!.accessToken, json: { offeringId: offering.id, start: slots[i]!.start } }), 201).body;
      const [mail] = await smtp.waitFor(1, (m) => uidOf(m) === `${a.id}@healthmatch`, 60_000);
      delays.push(mail!.receivedAt - t0);
    }
    console.log(`e2e servers: booking -> confirmation in the SMTP server over RabbitMQ: ${delays.map((d) => `${d} ms`).join(', ')}`);

    rabbitmqctl('stop_app');
    brokerStopped = true;
    const during: string[] = [];
    try {
      for (let i = 0; i < 12; i++) {
        const patient = patients[i % patients.length]!;
        const res = await api.post('/api/v1/booking/appointments', { token: patient.accessToken, json: { offeringId: offering.id, start: slots[4 + i]!.start } });
        expectStatus(res, 201, `booking ${i} with RabbitMQ down`);
        during.push(res.body.id);
      }
      // Nothing can have been published: the events wait in booking's outbox.
      const booking = new pg.Client({ connectionString: e2e.platform.databaseUrls.booking });
      await booking.connect();
      try {
        const { rows } = await booking.query(`select count(*)::int as n from outbox where published_at is null and payload->>'subject' = any($1)`, [during]);
        expect(rows[0].n).toBe(12);
      } finally {
        await booking.end();
      }
      expect(smtp.mails.filter((m) => during.some((id) => (m.parsed.text ?? '').includes(id)))).toHaveLength(0);
    } finally {
      rabbitmqctl('start_app');
      brokerStopped = false;
    }
    const back = Date.now();
    const uids = new Set(during.map((id) => `${id}@healthmatch`));
    const confirmations = await smtp.waitFor(12, (m) => uids.has(uidOf(m) ?? ''), 120_000);
    console.log(`e2e servers: 12 confirmations of bookings made during the outage arrived ${Date.now() - back} ms after RabbitMQ was back`);
    // Settle, then count: exactly one confirmation per appointment, one provider notice each.
    await new Promise((r) => setTimeout(r, 5_000));
    for (const id of during) {
      expect(smtp.mails.filter((m) => uidOf(m) === `${id}@healthmatch`), id).toHaveLength(1);
      expect(smtp.mails.filter((m) => !uidOf(m) && (m.parsed.text ?? '').includes(id)), `provider notice ${id}`).toHaveLength(1);
    }
    expect(new Set(confirmations.map((m) => m.parsed.messageId)).size).toBe(12);
  });

  it('the same event published again (a redelivery) sends no second e-mail', { timeout: 120_000 }, async () => {
    const { offering } = await providerWithOffering(api, 'Studio Ripetizione Prova');
    const patient = await registerPatient(api, 'Rosa', 'Ripetizione');
    const start = (await freeSlots(api, offering.id))[2]!.start;
    const a = expectStatus(await api.post('/api/v1/booking/appointments', { token: patient.accessToken, json: { offeringId: offering.id, start } }), 201).body;
    await smtp.waitFor(1, (m) => uidOf(m) === `${a.id}@healthmatch`, 60_000);

    const booking = new pg.Client({ connectionString: e2e.platform.databaseUrls.booking });
    await booking.connect();
    let event: CloudEvent;
    try {
      event = (await booking.query(`select payload from outbox where payload->>'subject' = $1 and type = 'booking.appointment.booked.v1'`, [a.id])).rows[0].payload;
    } finally {
      await booking.end();
    }
    const transport = await createRabbitMqTransport({ url: AMQP_URL });
    try {
      await transport.publish(event);
      await transport.publish(event);
    } finally {
      await transport.close();
    }
    await new Promise((r) => setTimeout(r, 5_000));
    expect(smtp.mails.filter((m) => (m.parsed.text ?? '').includes(a.id))).toHaveLength(2); // the confirmation and the provider notice, once each
  });
});
