// What server.ts runs besides HTTP: the event consumer (inbox + read models + queued
// messages) and the delivery worker (mailer). Kept out of buildApp so route tests need
// neither a transport nor a mail server.
import { Counter, Histogram, type Registry } from 'prom-client';
import { createEventTransport, ensureInboxTable, pruneInbox, type EventTransport, type Subscription } from '@healthmatch/platform/events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { NotificationsConfig } from '../config.ts';
import type { NotificationsDatabase } from '../db/database.ts';
import { notificationRepository } from '../db/notification-repository.ts';
import { CONSUMED_TYPES, CONSUMER, notificationsEventHandler } from '../events/consumers.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import { createDeliveryWorker, type DeliveryMetrics, type DeliveryWorker } from './worker.ts';

const INBOX_RETENTION_DAYS = 30;

export interface NotificationsRuntime {
  readonly mailer: Mailer;
  readonly worker: DeliveryWorker;
  /** Stops consuming, then the worker, then the transport and the mailer. */
  stop(): Promise<void>;
}

function deliveryMetrics(registry: Registry): DeliveryMetrics {
  return {
    outcomes: new Counter({
      name: 'notifications_messages_total',
      help: 'Delivery attempts by message kind and outcome (sent, retried, failed, cancelled)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'notifications_delivery_seconds',
      help: 'Seconds from a message being due to the mail server accepting it',
      labelNames: ['kind'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 3600],
      registers: [registry],
    }),
  };
}

export async function startNotificationsRuntime(opts: {
  config: NotificationsConfig;
  database: NotificationsDatabase;
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  registry: Registry;
  clock: Clock;
}): Promise<NotificationsRuntime> {
  const { config, database, log, clock } = opts;
  const repo = notificationRepository(database);
  const mailer = createMailer({ smtpUrl: config.SMTP_URL, mailDir: config.MAIL_DIR, replyTimeoutMs: config.SMTP_REPLY_TIMEOUT_SECONDS * 1000 });
  log.info({ mail: mailer.kind, target: mailer.target }, mailer.kind === 'file' ? `mail is written as .eml files to ${mailer.target}` : `mail goes to the SMTP server ${mailer.target}`);

  const worker = createDeliveryWorker({
    repo,
    mailer,
    from: config.from,
    dueClock: clock,
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    leaseMs: config.DELIVERY_LEASE_SECONDS * 1000,
    pollMs: config.DELIVERY_POLL_MS,
    log,
    metrics: deliveryMetrics(opts.registry),
  });
  worker.start();

  let transport: EventTransport | undefined;
  let subscription: Subscription | undefined;
  if (config.AMQP_URL || config.EVENTS_DATABASE_URL) {
    await ensureInboxTable(database.pool);
    transport = await createEventTransport({
      amqpUrl: config.AMQP_URL,
      eventsDatabaseUrl: config.EVENTS_DATABASE_URL,
      service: 'notifications',
      log,
      registry: opts.registry,
    });
    const handle = notificationsEventHandler({ database, repo, reminderOffsetsMinutes: config.reminderOffsetsMinutes, now: clock, log });
    subscription = await transport.subscribe({
      consumer: CONSUMER,
      types: CONSUMED_TYPES,
      handler: async (event, info) => {
        await handle(event, info);
        worker.kick(); // committed: what it queued can go out now rather than at the next poll
      },
    });
  } else {
    log.warn({}, 'neither AMQP_URL nor EVENTS_DATABASE_URL is set: no events are consumed (messages already queued are still delivered)');
  }

  // Inbox rows only guard against redelivery, which comes within minutes or days, never
  // after a month; the messages table (the delivery log) is kept.
  const pruneTimer = transport
    ? setInterval(() => {
        pruneInbox(database.pool, INBOX_RETENTION_DAYS).catch((err: unknown) => log.warn({ err }, 'inbox pruning failed; trying again later'));
      }, 6 * 3_600_000)
    : undefined;
  pruneTimer?.unref();

  return {
    mailer,
    worker,
    async stop() {
      if (pruneTimer) clearInterval(pruneTimer);
      await subscription?.close();
      await worker.stop();
      await transport?.close();
      mailer.close();
    },
  };
}
