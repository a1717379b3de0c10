// Sends a rendered message, by SMTP or (without a server, in development and demos) by
// writing it as an .eml file that any mail client opens.
//
// Both modes build the message with nodemailer, so a file shows exactly what SMTP would
// have sent. Before nodemailer sees anything, every header value is checked here: nodemailer
// encodes headers, but refusing a CR/LF outright is simpler to trust than relying on each
// encoder, and an address that is not plain (a list, a display name, a group) could widen
// the envelope to recipients nobody chose.
//
// send() rejects only with MailAddressError or MailSendError, each with `permanent`, so the
// delivery worker can decide between "retry later" and "give up" without knowing SMTP.
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import { assertHeaderSafe, HeaderInjectionError, parseMailAddress, safeDisplayName } from '../domain/addresses.ts';
import type { MailAddress } from '../domain/messages.ts';

export interface OutgoingMail {
  /** '<uuid@healthmatch>': stable per message, so a resend after a crash carries the same Message-ID. */
  messageId: string;
  from: MailAddress;
  to: MailAddress;
  subject: string;
  text: string;
  html: string;
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  headers?: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  /** The .eml path in file mode, the SMTP server's final reply in smtp mode. */
  detail: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'file';
  /** For logs: host:port (never credentials) or the directory. */
  readonly target: string;
  send(mail: OutgoingMail): Promise<SendResult>;
  verify(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  mailDir?: string;
  /** Connecting, the greeting and DNS: a server that is not there is known quickly (default 10 s). */
  timeoutMs?: number;
  /**
   * How long a connected server may take to answer (socket inactivity), above all the
   * reply to the end of the data: RFC 5321 (4.5.3.2.6) asks clients to wait 10 minutes
   * for it, and giving up earlier means a second copy when the server did take the
   * message (default 10 minutes).
   */
  replyTimeoutMs?: number;
}

/** An address (or its display name) that can never be sent to; retrying will not help. */
export class MailAddressError extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'MailAddressError';
  }
}

export class MailSendError extends Error {
  readonly permanent: boolean;
  /** nodemailer's code (ECONNECTION, ETIMEDOUT, EENVELOPE...), a Node code (ENOSPC) or EINVALID. */
  readonly code?: string;
  /** The SMTP reply code when the server answered (550, 451...). */
  readonly responseCode?: number;
  constructor(message: string, opts: { permanent: boolean; code?: string; responseCode?: number; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MailSendError';
    this.permanent = opts.permanent;
    if (opts.code !== undefined) this.code = opts.code;
    if (opts.responseCode !== undefined) this.responseCode = opts.responseCode;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_REPLY_TIMEOUT_MS = 10 * 60_000;

// Headers nodemailer writes from the message fields, or that we set ourselves: a caller's
// `headers` must not be able to replace them.
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'sender',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'auto-submitted',
  'x-auto-response-suppress',
]);
const HEADER_NAME_RE = /^[!-9;-~]+$/; // RFC 5322 field name: printable ASCII except ':'
const MESSAGE_ID_RE = /^<[^<>\s@]+@[^<>\s@]+>$/;

// Failures that are not the message's fault: the same message goes through once the
// operator fixes the credentials or TLS, even when the server answered with a 5xx.
const OPERATOR_ERRORS = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ETLS', 'EREQUIRETLS', 'ECONFIG', 'EPROXY']);

export function createMailer(opts: MailerOptions): Mailer {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const replyTimeoutMs = opts.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new Error('mailer timeoutMs must be a positive number');
  if (!(Number.isFinite(replyTimeoutMs) && replyTimeoutMs > 0)) throw new Error('mailer replyTimeoutMs must be a positive number');
  if (opts.smtpUrl) return createSmtpMailer(opts.smtpUrl, timeoutMs, replyTimeoutMs);
  if (opts.mailDir) return createFileMailer(opts.mailDir);
  throw new Error('mailer needs either an SMTP URL or a mail directory');
}

function createSmtpMailer(smtpUrl: string, timeoutMs: number, replyTimeoutMs: number): Mailer {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    // The URL is not quoted: it may carry a password.
    throw new Error('SMTP URL is not a valid URL');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('SMTP URL must start with smtp:// or smtps://');
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '25');
  const target = `${url.hostname}:${port}`;

  const transporter = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    // A connection held by a slow server leaves the others to the rest of the mail.
    maxConnections: 4,
    // A message whose connection dropped fails at once instead of being retried on a new
    // connection inside the pool: the delivery worker retries with backoff, and a send
    // stays bounded by the timeouts below.
    maxRequeues: 0,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: replyTimeoutMs,
    dnsTimeout: timeoutMs,
  });

  return {
    kind: 'smtp',
    target,
    async send(mail) {
      const options = composeOptions(mail);
      try {
        const info = await transporter.sendMail(options);
        return { messageId: mail.messageId, detail: String(info.response ?? '') };
      } catch (err) {
        throw toSendError(err);
      }
    },
    async verify() {
      try {
        await transporter.verify();
      } catch (err) {
        throw toSendError(err);
      }
    },
    close() {
      transporter.close();
    },
  };
}

function createFileMailer(mailDir: string): Mailer {
  const root = path.resolve(mailDir);
  // CRLF: the canonical form of a message on the wire (RFC 5322), the form .eml files have
  // when mail clients save them, and the bytes an SMTP relay would send, so a file can be
  // replayed as it is. mailparser and mail clients read it either way.
  const composer: Transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

  return {
    kind: 'file',
    target: root,
    async send(mail) {
      const options = composeOptions(mail);
      let message: Buffer;
      try {
        const info = (await composer.sendMail(options)) as { message: unknown };
        if (!Buffer.isBuffer(info.message)) throw new Error('nodemailer did not return a buffer');
        message = info.message;
      } catch (err) {
        throw toSendError(err);
      }
      try {
        const file = await writeAtomically(root, mail.messageId, message);
        return { messageId: mail.messageId, detail: file };
      } catch (err) {
        // Disk full, permissions...: nothing about this message is wrong.
        throw toSendError(err);
      }
    },
    async verify() {
      try {
        await mkdir(root, { recursive: true });
        await access(root, fsConstants.W_OK);
      } catch (err) {
        throw toSendError(err);
      }
    },
    close() {
      composer.close();
    },
  };
}

/**
 * <root>/<YYYY-MM-DD>/<compact ISO time>-<8 hex of the Message-ID>.eml, written under a
 * temporary name and renamed, so a reader (or a crash) never sees half a message.
 */
async function writeAtomically(root: string, messageId: string, content: Buffer): Promise<string> {
  const now = new Date().toISOString(); // 2026-12-04T08:30:00.123Z
  const dir = path.join(root, now.slice(0, 10));
  const shortId = createHash('sha256').update(messageId).digest('hex').slice(0, 8);
  const file = path.join(dir, `${now.replace(/[-:.]/g, '')}-${shortId}.eml`);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  await mkdir(dir, { recursive: true });
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, file);
  return file;
}

/** Checks everything that goes into a header and builds nodemailer's options. */
function composeOptions(mail: OutgoingMail): SendMailOptions {
  const from = checkedAddress('from', mail.from);
  const to = checkedAddress('to', mail.to);
  invalidUnless(typeof mail.subject === 'string', 'subject is not a string');
  invalidUnless(typeof mail.text === 'string' && typeof mail.html === 'string', 'text and html bodies are required');
  headerSafe('subject', mail.subject);
  headerSafe('message id', mail.messageId);
  invalidUnless(MESSAGE_ID_RE.test(mail.messageId), 'message id must look like <id@domain>');

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(mail.headers ?? {})) {
    invalidUnless(HEADER_NAME_RE.test(name), 'a header name is not a valid field name');
    invalidUnless(!RESERVED_HEADERS.has(name.toLowerCase()), `header ${name} cannot be set by the caller`);
    headerSafe(`header ${name}`, value);
    headers[name] = value;
  }
  headers['Auto-Submitted'] = 'auto-generated';
  headers['X-Auto-Response-Suppress'] = 'All';

  const options: SendMailOptions = {
    messageId: mail.messageId,
    from,
    to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers,
    // The SMTP envelope is exactly these two addresses, never derived from other headers.
    envelope: { from: from.address, to: [to.address] },
  };
  if (mail.calendar) {
    invalidUnless(mail.calendar.method === 'REQUEST' || mail.calendar.method === 'CANCEL', 'calendar method must be REQUEST or CANCEL');
    invalidUnless(typeof mail.calendar.content === 'string', 'calendar content is not a string');
    options.icalEvent = { method: mail.calendar.method, content: mail.calendar.content };
  }
  return options;
}

function checkedAddress(label: 'from' | 'to', who: MailAddress): { address: string; name: string } {
  if (!who || typeof who.address !== 'string') throw new MailAddressError(`${label} address is missing`);
  try {
    assertHeaderSafe(`${label} address`, who.address);
    if (who.name !== undefined) assertHeaderSafe(`${label} name`, who.name);
  } catch (err) {
    if (err instanceof HeaderInjectionError) throw new MailAddressError(err.message);
    throw err;
  }
  const address = parseMailAddress(who.address);
  // The address is not quoted in the message: it is personal data and may end up in logs.
  if (address === null) throw new MailAddressError(`${label} address is not a valid mail address`);
  // nodemailer leaves out an empty name; a name made only of control characters is dropped.
  return { address, name: safeDisplayName(who.name) ?? '' };
}

function headerSafe(label: string, value: string): void {
  try {
    assertHeaderSafe(label, value);
  } catch (err) {
    throw new MailSendError(err instanceof Error ? err.message : String(err), { permanent: true, code: 'EINVALID', cause: err });
  }
}

function invalidUnless(ok: boolean, message: string): void {
  if (!ok) throw new MailSendError(message, { permanent: true, code: 'EINVALID' });
}

/**
 * Maps whatever nodemailer or the file system threw. Permanent means the server refused
 * this message with a 5xx reply (RFC 5321: permanent negative completion), except 503 (bad
 * sequence of commands: the session, not the message, was wrong) and the operator errors
 * above. Everything without a reply code (refused connection, timeout, DNS, a dropped
 * socket) and every 4xx is transient.
 */
function toSendError(err: unknown): MailSendError | MailAddressError {
  if (err instanceof MailSendError || err instanceof MailAddressError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as { message?: unknown; code?: unknown; responseCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent =
    responseCode !== undefined && responseCode >= 500 && responseCode < 600 && responseCode !== 503 && !(code && OPERATOR_ERRORS.has(code));
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : 'mail could not be sent';
  return new MailSendError(message, {
    permanent,
    cause: err,
    ...(code !== undefined ? { code } : {}),
    ...(responseCode !== undefined ? { responseCode } : {}),
  });
}
