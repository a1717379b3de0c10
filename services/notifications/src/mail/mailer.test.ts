import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSmtpReceiver, type SmtpReceiver } from '@healthmatch/platform/testing';
import { simpleParser, type ParsedMail } from 'mailparser';
import ICAL from 'ical.js';
import { buildCalendar } from '../domain/ics.ts';
import { createMailer, MailAddressError, MailSendError, type Mailer, type OutgoingMail } from './mailer.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const TMP_ROOT = path.join(REPO_ROOT, '.data', 'test-tmp');

const calendarContent = buildCalendar({
  method: 'REQUEST',
  uid: 'appt-1@healthmatch',
  sequence: 0,
  stamp: new Date('2026-11-20T10:00:00Z'),
  start: new Date('2026-12-04T08:30:00Z'),
  end: new Date('2026-12-04T09:00:00Z'),
  timeZone: 'Europe/Rome',
  summary: 'Visita – Dr. Rossi',
  organizer: { address: 'no-reply@healthmatch.example', name: 'HealthMatch' },
  attendee: { address: 'paziente@example.it', name: 'Mario Rossi' },
});

const mail = (over: Partial<OutgoingMail> = {}): OutgoingMail => ({
  messageId: '<0190f2a4-7c1e-7a00-8000-000000000001@healthmatch>',
  from: { address: 'no-reply@healthmatch.example', name: 'HealthMatch' },
  to: { address: 'paziente@example.it', name: 'Niccolò Rossi' },
  subject: 'Il tuo appuntamento è confermato – ven 4 dic 2026, 09:30',
  text: 'Il tuo appuntamento è confermato.\nPrezzo: 45,00 €\n',
  html: '<p>Il tuo appuntamento è <b>confermato</b>.</p>',
  calendar: { method: 'REQUEST', content: calendarContent },
  ...over,
});

function expectMessage(parsed: ParsedMail, m: OutgoingMail): void {
  expect(parsed.from?.value).toEqual([{ address: m.from.address, name: m.from.name ?? '' }]);
  const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
  expect(to.flatMap((t) => t?.value ?? [])).toEqual([{ address: m.to.address, name: m.to.name ?? '' }]);
  expect(parsed.subject).toBe(m.subject);
  expect(parsed.messageId).toBe(m.messageId);
  expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
  expect(parsed.headers.get('x-auto-response-suppress')).toBe('All');
  expect(parsed.text).toBe(m.text);
  expect(parsed.html).toBe(m.html);
  expect(parsed.cc).toBeUndefined();
  expect(parsed.bcc).toBeUndefined();
}

/** The text/calendar part: its method parameter and its content, which must parse. */
function calendarPart(raw: Buffer | string, parsed: ParsedMail): { method: string | undefined; event: ICAL.Event; rootMethod: unknown } {
  // nodemailer puts the invite both as an alternative (text/calendar; method=REQUEST, what
  // Outlook and Gmail read) and as an attachment; the alternative must carry the method.
  expect((typeof raw === 'string' ? raw : raw.toString('latin1'))).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
  const part = parsed.attachments.find((a) => a.contentType === 'text/calendar');
  expect(part).toBeDefined();
  const contentType = part!.headers.get('content-type') as { value: string; params: Record<string, string> };
  const root = new ICAL.Component(ICAL.parse(part!.content.toString('utf8')));
  ICAL.TimezoneService.register(root.getFirstSubcomponent('vtimezone')!);
  return {
    method: contentType.params.method,
    rootMethod: root.getFirstPropertyValue('method'),
    event: new ICAL.Event(root.getFirstSubcomponent('vevent')!),
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to reject');
}

const mailers: Mailer[] = [];
const track = (m: Mailer): Mailer => {
  mailers.push(m);
  return m;
};
afterEach(() => {
  while (mailers.length > 0) mailers.pop()!.close();
});

describe('createMailer (smtp)', () => {
  let smtp: SmtpReceiver;
  beforeAll(async () => {
    smtp = await startSmtpReceiver();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('sends a message with headers, both bodies and the invite', async () => {
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` }));
    expect(mailer.kind).toBe('smtp');
    expect(mailer.target).toBe(`127.0.0.1:${smtp.port}`);
    await mailer.verify();
    const before = smtp.mails.length;
    const m = mail();
    const result = await mailer.send(m);
    expect(result.messageId).toBe(m.messageId);
    expect(result.detail).toMatch(/^250 /);
    expect(smtp.mails).toHaveLength(before + 1);
    expect(smtp.mails.at(-1)).toMatchObject({ envelopeFrom: 'no-reply@healthmatch.example', envelopeTo: ['paziente@example.it'] });

    const raw = smtp.mails.at(-1)!.raw;
    const parsed = await simpleParser(raw);
    expectMessage(parsed, m);
    const cal = calendarPart(raw, parsed);
    expect(cal.method).toBe('REQUEST');
    expect(cal.rootMethod).toBe('REQUEST');
    expect(cal.event.uid).toBe('appt-1@healthmatch');
    expect(cal.event.startDate.toJSDate().toISOString()).toBe('2026-12-04T08:30:00.000Z');
  });

  it('sends the same Message-ID again on a resend, and no calendar part when there is none', async () => {
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` }));
    const m = mail({ calendar: undefined, headers: { 'X-HealthMatch-Kind': 'appointment.reminder' } });
    await mailer.send(m);
    await mailer.send(m);
    const [a, b] = await Promise.all(smtp.mails.slice(-2).map((m) => simpleParser(m.raw)));
    expect(a!.messageId).toBe(m.messageId);
    expect(b!.messageId).toBe(m.messageId);
    expect(a!.headers.get('x-healthmatch-kind')).toBe('appointment.reminder');
    expect(a!.attachments).toHaveLength(0);
    expect(smtp.mails.at(-1)!.raw).not.toMatch(/text\/calendar/i);
  });

  it('does not put the password in the target', () => {
    const mailer = track(createMailer({ smtpUrl: 'smtp://user:s3cret@mail.example.com:2525' }));
    expect(mailer.target).toBe('mail.example.com:2525');
    expect(track(createMailer({ smtpUrl: 'smtps://u:p@mail.example.com' })).target).toBe('mail.example.com:465');
  });

  it('refuses CR/LF in an address, a name, the subject, the Message-ID or a header before sending anything', async () => {
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` }));
    const before = smtp.mails.length;
    const addressCases: Partial<OutgoingMail>[] = [
      { to: { address: 'paziente@example.it\r\nBcc: x@attacker.example' } },
      { to: { address: 'paziente@example.it', name: 'Mario\r\nBcc: x@attacker.example' } },
      { from: { address: 'no-reply@healthmatch.example', name: 'HM\nBcc: x@attacker.example' } },
      { to: { address: 'a@b.it, x@attacker.example' } },
      { to: { address: 'Mario <a@b.it>' } },
      { to: { address: 'not-an-address' } },
      { to: { address: 'paziente@example.it\u2028' } },
    ];
    for (const over of addressCases) {
      const err = await rejection(mailer.send(mail(over)));
      expect(err, JSON.stringify(over)).toBeInstanceOf(MailAddressError);
      expect((err as MailAddressError).permanent).toBe(true);
    }
    const otherCases: Partial<OutgoingMail>[] = [
      { subject: 'Hello\r\nBcc: x@attacker.example' },
      { subject: 'Hello\0' },
      { messageId: '<a@b>\r\nBcc: x@attacker.example' },
      { messageId: 'no-brackets@healthmatch' },
      { headers: { 'X-Test': 'ok\r\nBcc: x@attacker.example' } },
      { headers: { 'X-Test\r\nBcc': 'x' } },
      { headers: { Bcc: 'x@attacker.example' } },
    ];
    for (const over of otherCases) {
      const err = await rejection(mailer.send(mail(over)));
      expect(err, JSON.stringify(over)).toBeInstanceOf(MailSendError);
      expect((err as MailSendError).permanent).toBe(true);
      expect((err as MailSendError).code).toBe('EINVALID');
    }
    expect(smtp.mails).toHaveLength(before);
  });
});

describe('createMailer (smtp) failures', () => {
  it('gives a permanent error when the server refuses the recipient with 550', async () => {
    const smtp = await startSmtpReceiver();
    smtp.rejectRecipient('paziente@example.it', 550);
    try {
      const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` }));
      const err = await rejection(mailer.send(mail()));
      expect(err).toBeInstanceOf(MailSendError);
      expect((err as MailSendError).permanent).toBe(true);
      expect((err as MailSendError).responseCode).toBe(550);
      expect((err as MailSendError).code).toBe('EENVELOPE');
      expect(smtp.mails).toHaveLength(0);
    } finally {
      await smtp.close();
    }
  });

  it('gives a transient error when the server defers the recipient with 451', async () => {
    const smtp = await startSmtpReceiver();
    smtp.rejectRecipient('paziente@example.it', 451);
    try {
      const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}` }));
      const err = await rejection(mailer.send(mail()));
      expect(err).toBeInstanceOf(MailSendError);
      expect((err as MailSendError).permanent).toBe(false);
      expect((err as MailSendError).responseCode).toBe(451);
    } finally {
      await smtp.close();
    }
  });

  it('gives a transient error for a closed port', async () => {
    const port = await freePort();
    const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 2_000 }));
    const err = await rejection(mailer.send(mail()));
    expect(err).toBeInstanceOf(MailSendError);
    expect((err as MailSendError).permanent).toBe(false);
    expect((err as MailSendError).responseCode).toBeUndefined();
    const verifyErr = await rejection(mailer.verify());
    expect(verifyErr).toBeInstanceOf(MailSendError);
    expect((verifyErr as MailSendError).permanent).toBe(false);
  });

  it('gives up after timeoutMs on a server that accepts the connection and never greets', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const mailer = track(createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, timeoutMs: 300 }));
      // Bounded by the test timeout: a hang fails the test instead of passing it.
      const err = await rejection(mailer.send(mail()));
      expect(err).toBeInstanceOf(MailSendError);
      expect((err as MailSendError).permanent).toBe(false);
      expect((err as MailSendError).code).toBe('ETIMEDOUT');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 10_000);
});

describe('createMailer (file)', () => {
  let dir: string;
  beforeAll(async () => {
    await mkdir(TMP_ROOT, { recursive: true });
    dir = await mkdtemp(path.join(TMP_ROOT, 'mailer-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a parseable .eml with the same content and returns its path', async () => {
    const mailDir = path.join(dir, 'outbox');
    const mailer = track(createMailer({ mailDir }));
    expect(mailer.kind).toBe('file');
    expect(mailer.target).toBe(mailDir);
    await mailer.verify();
    const m = mail();
    const result = await mailer.send(m);
    expect(result.messageId).toBe(m.messageId);
    expect(path.dirname(path.dirname(result.detail))).toBe(mailDir);
    expect(path.basename(path.dirname(result.detail))).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(path.basename(result.detail)).toMatch(/^\d{8}T\d{9}Z-[0-9a-f]{8}\.eml$/);

    const raw = await readFile(result.detail);
    // CRLF everywhere: no bare LF.
    expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/);
    const parsed = await simpleParser(raw);
    expectMessage(parsed, m);
    const cal = calendarPart(raw, parsed);
    expect(cal.method).toBe('REQUEST');
    expect(cal.event.uid).toBe('appt-1@healthmatch');

    // Nothing but the message is left behind (no temporary files).
    expect(await readdir(path.dirname(result.detail))).toEqual([path.basename(result.detail)]);
  });

  it('refuses a header injection without writing anything', async () => {
    const mailDir = path.join(dir, 'refused');
    const mailer = track(createMailer({ mailDir }));
    expect(await rejection(mailer.send(mail({ subject: 'x\r\nBcc: y@z.it' })))).toBeInstanceOf(MailSendError);
    expect(await rejection(mailer.send(mail({ to: { address: 'a@b.it\nBcc: y@z.it' } })))).toBeInstanceOf(MailAddressError);
    await expect(readdir(mailDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('needs an SMTP URL or a directory', () => {
    expect(() => createMailer({})).toThrow(/SMTP URL or a mail directory/);
    expect(() => createMailer({ smtpUrl: 'http://x' })).toThrow(/smtp:\/\//);
  });
});
