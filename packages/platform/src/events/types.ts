// The event kit's vocabulary (ARCHITECTURE.md, Events): CloudEvents 1.0 envelopes, a
// transport that publishes durably and delivers to each consuming service's own queue.
// Two transports implement it: RabbitMQ (AMQP_URL) and PostgreSQL (the embedded default).

/** CloudEvents 1.0, JSON structured mode. `type` is `<service>.<entity>.<past-tense>.v<N>`. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  /** Unique per event (UUID v7); consumers deduplicate on it. */
  id: string;
  /** The producing service, e.g. `/healthmatch/booking`. */
  source: string;
  type: string;
  /** RFC 3339 instant the change happened. */
  time: string;
  datacontenttype: 'application/json';
  /** The entity the event is about (e.g. the appointment id), for ordering and logs. */
  subject?: string;
  data: T;
}

export interface DeliveryInfo {
  /** 1 on first delivery; grows with every redelivery of the same event to this consumer. */
  attempt: number;
}

/** Resolving acknowledges (after the handler's own transaction committed); throwing means retry. */
export type EventHandler = (event: CloudEvent, info: DeliveryInfo) => Promise<void>;

export interface SubscribeOptions {
  /** The consuming service; one durable queue per consumer, shared by its replicas. */
  consumer: string;
  /** Event types this consumer receives. */
  types: readonly string[];
  handler: EventHandler;
  /** Deliveries before the event goes to the consumer's dead-letter queue; default 5. */
  maxAttempts?: number;
  /** Delay before the first retry, doubled each time; default 1000 ms. */
  retryDelayMs?: number;
  /** Events handled at once by this process; default 4. */
  concurrency?: number;
}

export interface Subscription {
  /** Stops taking new deliveries and waits for handlers in flight. */
  close(): Promise<void>;
}

/**
 * The transport cannot take anything right now (broker or database unreachable, connection
 * being re-established). The outbox relay waits for the transport instead of charging the
 * event a backoff of its own: once the transport is back, every pending event is due.
 */
export class TransportUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

export interface EventTransport {
  readonly name: 'rabbitmq' | 'postgres';
  /**
   * Resolves only once the broker has durably accepted the event (publisher confirm /
   * committed row); the outbox relay marks a row published only then.
   */
  publish(event: CloudEvent): Promise<void>;
  /**
   * Calls `listener` each time the transport is available again after it was lost (the
   * broker connection re-established), so an outbox relay resumes at once instead of at
   * its next backoff round. Transports that cannot tell do not implement it.
   */
  onAvailable?(listener: () => void): void;
  subscribe(opts: SubscribeOptions): Promise<Subscription>;
  /** Events in a consumer's dead-letter queue (for operators and tests). */
  deadLetters(consumer: string): Promise<CloudEvent[]>;
  close(): Promise<void>;
}
