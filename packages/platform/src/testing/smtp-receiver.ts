// A real SMTP server on loopback for tests (the `smtp-server` package): it accepts every
// message, keeps the raw bytes and the parsed form (mailparser), and can be told to answer
// RCPT TO for some addresses with a permanent or temporary error, or to run a hook when a
// message arrives (the crash test kills the sender there).
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  raw: string;
  parsed: ParsedMail;
  envelopeFrom: string;
  envelopeTo: string[];
  receivedAt: number;
}

export interface SmtpReceiver {
  /** smtp://127.0.0.1:<port> */
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** Resolves once at least `count` mails match `filter` (all by default); rejects after `timeoutMs`. */
  waitFor(count: number, filter?: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** RCPT TO of this address is answered with `code` (e.g. 550 permanent, 451 temporary). */
  rejectRecipient(address: string, code: number): void;
  acceptRecipient(address: string): void;
  /** Runs after a message has been read in full, before the server answers 250. */
  onMessage?: (mail: ReceivedMail) => void | Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpReceiver(port = 0): Promise<SmtpReceiver> {
  const rejected = new Map<string, number>();
  const waiters = new Set<() => void>();
  const receiver: Partial<SmtpReceiver> & { mails: ReceivedMail[] } = { mails: [] };
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = rejected.get(address.address.toLowerCase());
      if (code === undefined) return callback();
      const err = new Error(code >= 500 ? 'mailbox unavailable' : 'try again later') as Error & { responseCode: number };
      err.responseCode = code;
      return callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        void simpleParser(raw)
          .then(async (parsed) => {
            const from = session.envelope.mailFrom;
            const mail: ReceivedMail = {
              raw,
              parsed,
              envelopeFrom: from ? from.address : '',
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              receivedAt: Date.now(),
            };
            receiver.mails.push(mail);
            for (const w of waiters) w();
            await receiver.onMessage?.(mail);
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.server.address() as AddressInfo).port;

  return Object.assign(receiver, {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    waitFor(count: number, filter: (m: ReceivedMail) => boolean = () => true, timeoutMs = 15_000) {
      return new Promise<ReceivedMail[]>((resolve, reject) => {
        const check = () => {
          const hits = receiver.mails.filter(filter);
          if (hits.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hits);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} mail(s), got ${receiver.mails.filter(filter).length} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    rejectRecipient(address: string, code: number) {
      rejected.set(address.toLowerCase(), code);
    },
    acceptRecipient(address: string) {
      rejected.delete(address.toLowerCase());
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  }) as SmtpReceiver;
}
