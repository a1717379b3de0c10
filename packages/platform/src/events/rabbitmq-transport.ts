// The RabbitMQ transport of the event kit (ARCHITECTURE.md, Events; used when AMQP_URL is set).
//
// Topology, all durable:
//   exchange  <exchange> (topic, default `healthmatch.events`): routing key = event type.
//   queue     <consumer>            bound to each subscribed type; shared by the consumer's replicas.
//   queue     <consumer>.retry.<n>  the wait before delivery n+1: messages carry a per-message
//                                   expiration (retryDelayMs * 2^(n-1)) and dead-letter back to
//                                   <consumer> through the default exchange. One queue per attempt
//                                   number, so every message in a queue has the same delay and
//                                   expiry at the head never holds back a shorter one; no queue
//                                   level TTL, so changing retryDelayMs never conflicts with an
//                                   existing declaration.
//   queue     <consumer>.dlq        events that failed maxAttempts times (or could not be parsed),
//                                   with the last error in the `x-last-error` header.
//
// A message is acknowledged only after the handler resolved, or after its copy in a retry queue
// or the DLQ was confirmed by the broker: nothing is acknowledged and dropped. The attempt is the
// `x-attempt` header (1 when absent) plus one when the broker redelivers it (the consumer's
// channel or connection was lost before the ack).
//
// When the connection drops, the transport reconnects with backoff, re-declares the topology and
// resumes every open subscription; publish() rejects while disconnected, so the outbox relay
// retries. Handlers still in flight when the connection dropped cannot ack any more: their events
// come again (consumers are idempotent).
import { connect, type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Message } from 'amqplib';
import { TransportUnavailableError, type CloudEvent, type EventTransport, type SubscribeOptions, type Subscription } from './types.ts';

const CONTENT_TYPE = 'application/cloudevents+json';
const ATTEMPT_HEADER = 'x-attempt';
const ERROR_HEADER = 'x-last-error';
/** deadLetters() reads at most this many messages of one DLQ. */
const DEAD_LETTER_READ_LIMIT = 10_000;

/** A pino-compatible subset. */
export interface TransportLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RabbitMqTransportOptions {
  /** amqp://user:pass@host:5672/vhost (AMQP_URL). */
  url: string;
  /** The topic exchange every service publishes to; default `healthmatch.events`. */
  exchange?: string;
  log?: TransportLog;
  /** Shows in the broker's connection list; default `healthmatch-events`. */
  connectionName?: string;
  /**
   * AMQP heartbeat, so a silently dead connection is noticed and replaced; default 30 s
   * (amqplib's own default is none). A `heartbeat` in the URL wins.
   */
  heartbeatSeconds?: number;
  /** Backoff between reconnection attempts: doubles from `initialMs` (default 200) up to `maxMs` (default 5 000: a broker back from an outage is found within about 5 s). */
  reconnect?: { initialMs?: number; maxMs?: number };
}

export interface RabbitMqTransport extends EventTransport {
  readonly name: 'rabbitmq';
  /** True while a connection with its publish channel is up. */
  readonly connected: boolean;
  onAvailable(listener: () => void): void;
  /**
   * Deletes a consumer's queues (`<consumer>`, `<consumer>.dlq`, `<consumer>.retry.1..maxRetryQueues`),
   * messages included: for tests and for retiring a consumer. Missing queues are fine.
   */
  deleteConsumerQueues(consumer: string, maxRetryQueues?: number): Promise<void>;
  /** Destroys the socket as a network failure would (tests, chaos drills); the transport reconnects. */
  simulateConnectionLoss(): void;
}

const silentLog: TransportLog = { info() {}, warn() {}, error() {} };

export const queueNames = (consumer: string) => ({
  main: consumer,
  dlq: `${consumer}.dlq`,
  retry: (attempt: number) => `${consumer}.retry.${attempt}`,
});

/** Connects (rejecting when the broker cannot be reached) and declares the exchange. */
export async function createRabbitMqTransport(options: RabbitMqTransportOptions): Promise<RabbitMqTransport> {
  const exchange = options.exchange ?? 'healthmatch.events';
  const log = options.log ?? silentLog;
  const initialDelay = options.reconnect?.initialMs ?? 200;
  const maxDelay = options.reconnect?.maxMs ?? 5_000;
  const url = /[?&]heartbeat=/.test(options.url) ? options.url : `${options.url}${options.url.includes('?') ? '&' : '?'}heartbeat=${options.heartbeatSeconds ?? 30}`;

  let model: ChannelModel | undefined;
  let publishChannel: ConfirmChannel | undefined;
  let closing = false;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let connecting: Promise<void> | undefined;
  const subscriptions = new Set<RabbitSubscription>();

  /** Forgets a connection (idempotent) and, unless closing, schedules a reconnection. */
  function connectionLost(lost: ChannelModel, reason: unknown): void {
    if (model !== lost) return;
    model = undefined;
    publishChannel = undefined;
    for (const s of subscriptions) s.detach();
    if (closing) return;
    log.warn({ err: errorText(reason) }, 'RabbitMQ connection lost; reconnecting');
    scheduleReconnect(0);
  }

  /** A channel we rely on closed unexpectedly: start over with a fresh connection. */
  function failConnection(m: ChannelModel, reason: unknown): void {
    connectionLost(m, reason);
    m.close().catch(() => {});
  }

  const availableListeners = new Set<() => void>();

  function scheduleReconnect(failures: number): void {
    if (closing || reconnectTimer) return;
    // Jittered, then capped: attempts are never more than maxDelay apart.
    const delay = Math.min(maxDelay, initialDelay * 2 ** Math.min(failures, 20) * (0.75 + Math.random() * 0.5));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      if (closing) return;
      connecting = connectOnce()
        .then(() => {
          log.info({ subscriptions: subscriptions.size }, 'RabbitMQ reconnected');
          for (const listener of availableListeners) listener();
        })
        .catch((err: unknown) => {
          log.warn({ err: errorText(err), failures: failures + 1 }, 'RabbitMQ reconnection failed');
          scheduleReconnect(failures + 1);
        })
        .finally(() => {
          connecting = undefined;
        });
    }, delay);
  }

  async function connectOnce(): Promise<void> {
    const m = await connect(url, { clientProperties: { connection_name: options.connectionName ?? 'healthmatch-events' } });
    m.on('error', (err: unknown) => log.warn({ err: errorText(err) }, 'RabbitMQ connection error'));
    m.on('close', (err: unknown) => connectionLost(m, err ?? 'closed'));
    try {
      const ch = await m.createConfirmChannel();
      ch.on('error', (err: unknown) => log.warn({ err: errorText(err) }, 'RabbitMQ publish channel error'));
      ch.on('close', () => {
        if (publishChannel === ch && !closing) failConnection(m, 'publish channel closed');
      });
      await ch.assertExchange(exchange, 'topic', { durable: true });
      if (closing) throw new Error('transport closed while connecting');
      model = m;
      publishChannel = ch;
      for (const s of subscriptions) await s.start(m);
    } catch (err) {
      if (model === m) {
        model = undefined;
        publishChannel = undefined;
        for (const s of subscriptions) s.detach();
      }
      await m.close().catch(() => {});
      throw err;
    }
  }

  class RabbitSubscription implements Subscription {
    private channel: ConfirmChannel | undefined;
    private consumerTag: string | undefined;
    private readonly inFlight = new Set<Promise<void>>();
    private closed = false;
    private readonly names: ReturnType<typeof queueNames>;
    private readonly maxAttempts: number;
    private readonly retryDelayMs: number;
    private readonly concurrency: number;

    constructor(private readonly opts: SubscribeOptions) {
      this.names = queueNames(opts.consumer);
      this.maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
      this.retryDelayMs = Math.max(0, opts.retryDelayMs ?? 1000);
      this.concurrency = Math.max(1, opts.concurrency ?? 4);
    }

    /** Declares the consumer's queues and bindings and starts consuming on a connection. */
    async start(m: ChannelModel): Promise<void> {
      if (this.closed) return;
      const ch = await m.createConfirmChannel();
      ch.on('error', (err: unknown) => log.warn({ err: errorText(err), consumer: this.opts.consumer }, 'RabbitMQ consumer channel error'));
      ch.on('close', () => {
        if (this.channel !== ch) return;
        this.detach();
        if (!this.closed && !closing && model === m) failConnection(m, `consumer channel of ${this.opts.consumer} closed`);
      });
      const { main, dlq, retry } = this.names;
      await ch.assertQueue(main, { durable: true });
      await ch.assertQueue(dlq, { durable: true });
      for (let n = 1; n < this.maxAttempts; n++) {
        await ch.assertQueue(retry(n), { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': main } });
      }
      for (const type of this.opts.types) await ch.bindQueue(main, exchange, type);
      await ch.prefetch(this.concurrency);
      this.channel = ch;
      const { consumerTag } = await ch.consume(main, (msg) => {
        if (msg) {
          this.track(this.deliver(ch, msg));
          return;
        }
        // The broker cancelled the consumer (its queue was deleted, say): declare and consume again.
        if (this.channel !== ch || this.closed || closing) return;
        log.warn({ consumer: this.opts.consumer }, 'RabbitMQ cancelled the consumer; subscribing again');
        this.detach();
        ch.close().catch(() => {});
        this.start(m).catch((err: unknown) => failConnection(m, err));
      }, { noAck: false });
      this.consumerTag = consumerTag;
    }

    /** The connection is gone: in-flight handlers finish, but their acks cannot reach the broker. */
    detach(): void {
      this.channel = undefined;
      this.consumerTag = undefined;
    }

    /** Transport closing: stop without waiting for handlers. */
    abandon(): void {
      this.closed = true;
      this.detach();
    }

    async close(): Promise<void> {
      if (this.closed) {
        await Promise.allSettled([...this.inFlight]);
        return;
      }
      this.closed = true;
      subscriptions.delete(this);
      const ch = this.channel;
      const tag = this.consumerTag;
      if (ch && tag) await ch.cancel(tag).catch(() => {});
      await Promise.allSettled([...this.inFlight]);
      this.detach();
      if (ch) await ch.close().catch(() => {});
    }

    private track(p: Promise<void>): void {
      const tracked = p
        .catch((err: unknown) => log.error({ err: errorText(err), consumer: this.opts.consumer }, 'event delivery failed; the broker will deliver it again'))
        .finally(() => this.inFlight.delete(tracked));
      this.inFlight.add(tracked);
    }

    private async deliver(ch: ConfirmChannel, msg: ConsumeMessage): Promise<void> {
      const attempt = attemptOf(msg);
      let event: CloudEvent;
      try {
        event = parseEvent(msg.content);
      } catch (err) {
        log.error({ err: errorText(err), consumer: this.opts.consumer, messageId: msg.properties.messageId }, 'unparseable event; moved to the dead-letter queue');
        await this.forward(ch, msg, this.names.dlq, { [ATTEMPT_HEADER]: attempt, [ERROR_HEADER]: truncate(errorText(err)) });
        return;
      }
      try {
        await this.opts.handler(event, { attempt });
      } catch (err) {
        if (attempt >= this.maxAttempts) {
          log.error({ err: errorText(err), consumer: this.opts.consumer, eventId: event.id, type: event.type, attempt }, 'event failed for the last time; moved to the dead-letter queue');
          await this.forward(ch, msg, this.names.dlq, { [ATTEMPT_HEADER]: attempt, [ERROR_HEADER]: truncate(errorText(err)) });
        } else {
          const delay = Math.round(this.retryDelayMs * 2 ** (attempt - 1));
          log.warn({ err: errorText(err), consumer: this.opts.consumer, eventId: event.id, type: event.type, attempt, retryInMs: delay }, 'event handler failed; will retry');
          await this.forward(ch, msg, this.names.retry(Math.min(attempt, this.maxAttempts - 1)), { [ATTEMPT_HEADER]: attempt + 1, [ERROR_HEADER]: truncate(errorText(err)) }, delay);
        }
        return;
      }
      ack(ch, msg);
    }

    /** Copies the message to a queue, waits for the broker's confirm, then acks the original. */
    private async forward(ch: ConfirmChannel, msg: ConsumeMessage, queue: string, headers: Record<string, unknown>, expirationMs?: number): Promise<void> {
      const { properties } = msg;
      try {
        await new Promise<void>((resolve, reject) => {
          ch.sendToQueue(queue, msg.content, {
            persistent: true,
            contentType: properties.contentType as string | undefined,
            messageId: properties.messageId as string | undefined,
            type: properties.type as string | undefined,
            timestamp: properties.timestamp as number | undefined,
            headers: { ...withoutBrokerHeaders(properties.headers), ...headers },
            ...(expirationMs !== undefined ? { expiration: String(expirationMs) } : {}),
          }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
        });
      } catch (err) {
        // Not confirmed: leave it to the broker (requeued now, or redelivered once the channel is gone).
        try {
          ch.nack(msg, false, true);
        } catch {
          // channel already closed: the broker requeues it anyway
        }
        throw err;
      }
      ack(ch, msg);
    }
  }

  await connectOnce();

  /** Resolves once the broker confirmed the message (publisher confirms). */
  const publishConfirmed = (ch: ConfirmChannel, body: Buffer, event: CloudEvent) =>
    new Promise<void>((resolve, reject) => {
      ch.publish(exchange, event.type, body, {
        persistent: true,
        contentType: CONTENT_TYPE,
        messageId: event.id,
        type: event.type,
        timestamp: Math.floor(Date.now() / 1000),
        headers: {},
      }, (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });

  const transport: RabbitMqTransport = {
    name: 'rabbitmq',

    get connected() {
      return publishChannel !== undefined;
    },

    onAvailable(listener: () => void): void {
      availableListeners.add(listener);
    },

    async publish(event: CloudEvent): Promise<void> {
      const ch = publishChannel;
      if (closing) throw new Error('RabbitMQ transport is closed');
      if (!ch) throw new TransportUnavailableError('RabbitMQ transport is not connected (reconnecting); publish again later');
      const body = Buffer.from(JSON.stringify(event));
      try {
        await publishConfirmed(ch, body, event);
      } catch (err) {
        // The channel went away under the publish: the broker, not this event, is the problem.
        if (publishChannel !== ch || /closed|ended|ECONN/i.test(errorText(err))) throw new TransportUnavailableError(`RabbitMQ connection lost while publishing: ${errorText(err)}`, { cause: err });
        throw err;
      }
    },

    async subscribe(opts: SubscribeOptions): Promise<Subscription> {
      if (closing) throw new Error('RabbitMQ transport is closed');
      if (opts.types.length === 0) throw new Error(`subscribe: consumer ${opts.consumer} names no event types`);
      const subscription = new RabbitSubscription(opts);
      subscriptions.add(subscription);
      const m = model;
      if (m) {
        try {
          await subscription.start(m);
        } catch (err) {
          subscriptions.delete(subscription);
          throw err;
        }
      }
      // Without a connection the reconnection starts it.
      return subscription;
    },

    async deadLetters(consumer: string): Promise<CloudEvent[]> {
      const m = model;
      if (!m) throw new Error('RabbitMQ transport is not connected (reconnecting)');
      const dlq = queueNames(consumer).dlq;
      // A failed checkQueue closes its channel: probe on a throwaway one.
      const probe = await m.createChannel();
      probe.on('error', () => {});
      try {
        await probe.checkQueue(dlq);
      } catch {
        return [];
      } finally {
        await probe.close().catch(() => {});
      }
      // Peek: take every message unacknowledged, then requeue them all (nackAll + close); the
      // broker puts requeued messages back at their original positions. Nothing is consumed.
      const ch = await m.createChannel();
      ch.on('error', () => {});
      const events: CloudEvent[] = [];
      try {
        for (let i = 0; i < DEAD_LETTER_READ_LIMIT; i++) {
          const msg = await ch.get(dlq, { noAck: false });
          if (!msg) break;
          try {
            events.push(parseEvent(msg.content));
          } catch {
            // unparseable bodies stay in the DLQ for an operator; they are not events
          }
        }
        ch.nackAll(true);
      } finally {
        await ch.close().catch(() => {});
      }
      return events;
    },

    async deleteConsumerQueues(consumer: string, maxRetryQueues = 20): Promise<void> {
      const m = model;
      if (!m) throw new Error('RabbitMQ transport is not connected (reconnecting)');
      const names = queueNames(consumer);
      const ch: Channel = await m.createChannel();
      ch.on('error', () => {});
      try {
        await ch.deleteQueue(names.main);
        await ch.deleteQueue(names.dlq);
        for (let n = 1; n <= maxRetryQueues; n++) await ch.deleteQueue(names.retry(n));
      } finally {
        await ch.close().catch(() => {});
      }
    },

    simulateConnectionLoss(): void {
      const stream = (model?.connection as unknown as { stream?: { destroy(err?: Error): void } } | undefined)?.stream;
      stream?.destroy(new Error('simulated connection loss'));
    },

    async close(): Promise<void> {
      if (closing) return;
      closing = true;
      if (reconnectTimer) clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      await connecting?.catch(() => {});
      for (const s of subscriptions) s.abandon();
      subscriptions.clear();
      const m = model;
      model = undefined;
      publishChannel = undefined;
      if (m) await m.close().catch(() => {});
    },
  };
  return transport;
}

function attemptOf(msg: Message): number {
  const raw: unknown = msg.properties.headers?.[ATTEMPT_HEADER];
  const n = typeof raw === 'number' ? raw : Number(raw);
  const base = Number.isInteger(n) && n >= 1 ? n : 1;
  return msg.fields.redelivered ? base + 1 : base;
}

function parseEvent(content: Buffer): CloudEvent {
  const value: unknown = JSON.parse(content.toString('utf8'));
  if (typeof value !== 'object' || value === null) throw new Error('event body is not a JSON object');
  const e = value as Partial<CloudEvent>;
  if (typeof e.id !== 'string' || typeof e.type !== 'string' || e.specversion !== '1.0') throw new Error('event body is not a CloudEvent 1.0 envelope');
  return value as CloudEvent;
}

/** The broker adds x-death and friends when dead-lettering; we keep only ours. */
function withoutBrokerHeaders(headers: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (!k.startsWith('x-death') && !k.startsWith('x-first-death') && !k.startsWith('x-last-death')) out[k] = v;
  return out;
}

function ack(ch: Channel, msg: Message): void {
  try {
    ch.ack(msg);
  } catch {
    // The channel is gone: the broker redelivers the event (handlers are idempotent).
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
