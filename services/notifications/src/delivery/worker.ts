// The delivery worker: drains due messages from the messages table (the durable queue),
// renders each in its recipient's language, hands it to the mailer, and records the
// outcome. Replicas share the work through FOR UPDATE SKIP LOCKED claims with a lease.
//
// Crash between "the mail server accepted it" and "we recorded sent": the claim's lease
// runs out and another attempt sends it again, with the same Message-ID. That is the one
// duplicate we accept (docs/adr/0011); the opposite order could lose the message. A live
// worker renews the lease while a send is in progress, so a slow mail server (RFC 5321
// gives it up to 10 minutes to answer the end of the data) never makes a second copy.
//
// Messages are sent independently, up to `batchSize` at once: a send stuck on a slow
// server does not hold back the others; each finished send makes room for the next.
import type { Counter, Histogram } from 'prom-client';
import { MailAddressError, MailSendError, type Mailer } from '../mail/mailer.ts';
import type { AppointmentView, Locale, MailAddress, MessageKind } from '../domain/messages.ts';
import { DEFAULT_LOCALE } from '../domain/messages.ts';
import { reminderStillWanted, retryDelayMs } from '../domain/plan.ts';
import { renderMessage } from '../domain/templates.ts';
import { RECIPIENT_UNKNOWN, type AppointmentRow, type MessageRow, type NotificationRepository } from '../db/notification-repository.ts';

export interface DeliveryMetrics {
  outcomes: Counter<'kind' | 'outcome'>;
  /** Seconds from due (notBefore) to accepted by the mail server. */
  latency: Histogram<'kind'>;
}

export interface DeliveryDeps {
  repo: NotificationRepository;
  mailer: Mailer;
  from: MailAddress;
  /** What is due is decided on this clock (reminders); tests and demos may shift it. */
  dueClock: () => Date;
  maxAttempts: number;
  leaseMs: number;
  pollMs: number;
  /** Messages claimed per round. */
  batchSize?: number;
  /** Delay before the second attempt, doubled for each next one (default 30 s). */
  retryBaseMs?: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  metrics?: DeliveryMetrics;
}

export interface DeliveryWorker {
  /** One round: claims what is due and delivers it; resolves with the number of messages handled. */
  runOnce(): Promise<number>;
  start(): void;
  /** Runs a round soon instead of at the next poll (new messages were just queued). */
  kick(): void;
  /** Stops polling and waits for the sends in flight. */
  stop(): Promise<void>;
}

function viewOf(a: AppointmentRow): AppointmentView {
  return {
    id: a.id,
    serviceName: a.serviceName,
    start: a.startAt,
    end: a.endAt,
    timeZone: a.timeZone,
    modality: a.modality,
    price: { amount: a.priceAmount, currency: a.priceCurrency },
    providerName: a.providerName,
    address: a.address,
    city: a.city,
    sequence: a.sequence,
    cancelledBy: a.cancelledBy,
  };
}

type Outcome =
  | { status: 'sent'; toAddress: string; subject: string }
  | { status: 'retry'; error: string; toAddress?: string; subject?: string }
  | { status: 'failed' | 'cancelled'; error: string; toAddress?: string; subject?: string };

export function createDeliveryWorker(deps: DeliveryDeps): DeliveryWorker {
  const batch = deps.batchSize ?? 10;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  async function attempt(m: MessageRow): Promise<Outcome> {
    const appointment = m.appointmentId ? await deps.repo.appointment(m.appointmentId) : null;
    if (!appointment) return { status: 'failed', error: 'appointment unknown to notifications' };
    if (m.kind === 'appointment.reminder') {
      const still = reminderStillWanted(m, { status: appointment.status, start: appointment.startAt }, deps.dueClock());
      if (!still.wanted) return { status: 'cancelled', error: still.reason };
    }
    const contact = await deps.repo.contact(m.recipientId);
    // The registration event may still be on its way (events are not ordered across services).
    if (!contact) return { status: 'retry', error: RECIPIENT_UNKNOWN };
    if (!contact.email) return { status: 'failed', error: 'recipient has no usable e-mail address' };
    const to: MailAddress = { address: contact.email };
    const rendered = renderMessage({
      kind: m.kind as MessageKind,
      locale: (contact.locale as Locale) ?? DEFAULT_LOCALE,
      appointment: viewOf(appointment),
      reminderOffsetMinutes: m.reminderOffsetMinutes ?? undefined,
      from: deps.from,
      to,
      now: new Date(),
    });
    try {
      await deps.mailer.send({
        messageId: m.messageId,
        from: deps.from,
        to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        calendar: rendered.calendar,
      });
      return { status: 'sent', toAddress: to.address, subject: rendered.subject };
    } catch (err) {
      const permanent = (err instanceof MailSendError || err instanceof MailAddressError) && err.permanent;
      const error = err instanceof Error ? err.message : String(err);
      return { status: permanent ? 'failed' : 'retry', error, toAddress: to.address, subject: rendered.subject };
    }
  }

  async function deliver(m: MessageRow): Promise<void> {
    let outcome: Outcome;
    try {
      outcome = await attempt(m);
    } catch (err) {
      // A bug or a database hiccup: retried like a transient failure, bounded by maxAttempts.
      deps.log.error({ err, messageId: m.id }, 'delivery attempt failed unexpectedly');
      outcome = { status: 'retry', error: 'internal error while preparing the message' };
    }
    const finishedAt = new Date();
    let recorded: boolean;
    if (outcome.status === 'retry') {
      const giveUp = m.attempts >= deps.maxAttempts;
      // Due-ness is judged on the due clock, so the retry's moment is set on it too.
      const notBefore = new Date(deps.dueClock().getTime() + retryDelayMs(m.attempts, deps.retryBaseMs));
      recorded = await deps.repo.finish(
        m,
        giveUp
          ? { status: 'failed', error: `${outcome.error} (gave up after ${m.attempts} attempts)`, toAddress: outcome.toAddress, subject: outcome.subject }
          : { status: 'queued', error: outcome.error, notBefore, toAddress: outcome.toAddress, subject: outcome.subject },
        finishedAt,
      );
      deps.metrics?.outcomes.inc({ kind: m.kind, outcome: giveUp ? 'failed' : 'retried' });
      deps.log.warn({ messageId: m.id, kind: m.kind, attempt: m.attempts, giveUp, error: outcome.error }, giveUp ? 'message failed for good' : 'message will be retried');
    } else {
      recorded = await deps.repo.finish(m, outcome, finishedAt);
      deps.metrics?.outcomes.inc({ kind: m.kind, outcome: outcome.status });
      if (outcome.status === 'sent') {
        deps.metrics?.latency.observe({ kind: m.kind }, Math.max(0, (finishedAt.getTime() - m.notBefore.getTime()) / 1000));
        deps.log.info({ messageId: m.id, kind: m.kind, attempt: m.attempts }, 'message sent');
      } else {
        deps.log.warn({ messageId: m.id, kind: m.kind, reason: outcome.error }, `message ${outcome.status}`);
      }
    }
    if (!recorded) deps.log.warn({ messageId: m.id, attempt: m.attempts }, 'another worker took this message over before the outcome was recorded');
  }

  /** Delivers one claimed message, renewing its lease until the outcome is recorded. */
  async function deliverHoldingLease(m: MessageRow): Promise<void> {
    const renewEvery = Math.max(50, Math.floor(deps.leaseMs / 3));
    const renewal = setInterval(() => {
      deps.repo.extendLease(m, new Date(Date.now() + deps.leaseMs)).then(
        (kept) => {
          if (!kept) deps.log.warn({ messageId: m.id, attempt: m.attempts }, 'lost the claim on a message while sending it');
        },
        (err: unknown) => deps.log.warn({ err, messageId: m.id }, 'could not renew the claim on a message; it may be sent again'),
      );
    }, renewEvery);
    try {
      await deliver(m);
    } finally {
      clearInterval(renewal);
    }
  }

  const inFlight = new Set<Promise<void>>();

  /** Claims as many due messages as there is room for and starts sending them. */
  async function claimAndStart(): Promise<{ started: Array<Promise<void>>; room: number }> {
    const room = batch - inFlight.size;
    if (room <= 0) return { started: [], room };
    const claimed = await deps.repo.claimDue({ due: deps.dueClock(), real: new Date() }, deps.leaseMs, room);
    const started = claimed.map((m) => {
      const sending: Promise<void> = deliverHoldingLease(m)
        .catch((err: unknown) => deps.log.error({ err, messageId: m.id }, 'delivery failed unexpectedly'))
        .finally(() => {
          inFlight.delete(sending);
          // Room for the next one.
          if (!stopped) kick();
        });
      inFlight.add(sending);
      return sending;
    });
    return { started, room };
  }

  async function runOnce(): Promise<number> {
    const { started } = await claimAndStart();
    await Promise.all(started);
    return started.length;
  }

  let busy = false;
  let again = false;

  function kick(): void {
    if (stopped) return;
    if (busy) again = true;
    else schedule(0);
  }

  function schedule(delayMs: number) {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      busy = true;
      const round = claimAndStart().then(
        ({ started, room }) => started.length > 0 && started.length === room,
        (err: unknown) => {
          deps.log.error({ err }, 'delivery round failed; trying again');
          return false;
        },
      );
      running = round;
      void round.then((full) => {
        busy = false;
        const more = again || full;
        again = false;
        schedule(more ? 0 : deps.pollMs);
      });
    }, delayMs);
  }

  return {
    runOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    kick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all([...inFlight]);
    },
  };
}
