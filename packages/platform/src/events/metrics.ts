// Event metrics on a service's prom-client registry: the outbox backlog and the age of its
// oldest pending row, and counters of published, consumed, retried and dead-lettered events.
import client from 'prom-client';

export interface EventMetrics {
  outboxBacklog: client.Gauge;
  outboxOldestPendingSeconds: client.Gauge;
  published: client.Counter<'type'>;
  publishFailures: client.Counter<'type'>;
  consumed: client.Counter<'consumer' | 'type'>;
  retried: client.Counter<'consumer' | 'type'>;
  deadLettered: client.Counter<'consumer' | 'type'>;
}

const byRegistry = new WeakMap<client.Registry, EventMetrics>();

/** The event metrics on `registry`, registered once however often it is called. */
export function createEventMetrics(registry: client.Registry): EventMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: EventMetrics = {
    outboxBacklog: new client.Gauge({ name: 'events_outbox_backlog', help: 'Outbox rows not yet published', registers }),
    outboxOldestPendingSeconds: new client.Gauge({
      name: 'events_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest outbox row not yet published (0 when none)',
      registers,
    }),
    published: new client.Counter({ name: 'events_published_total', help: 'Events the outbox relay published (transport confirmed)', labelNames: ['type'] as const, registers }),
    publishFailures: new client.Counter({
      name: 'events_publish_failures_total',
      help: 'Outbox publish attempts that failed and were rescheduled with backoff',
      labelNames: ['type'] as const,
      registers,
    }),
    consumed: new client.Counter({ name: 'events_consumed_total', help: 'Events handled successfully', labelNames: ['consumer', 'type'] as const, registers }),
    retried: new client.Counter({ name: 'events_retried_total', help: 'Handler failures that will be redelivered', labelNames: ['consumer', 'type'] as const, registers }),
    deadLettered: new client.Counter({
      name: 'events_dead_lettered_total',
      help: 'Events moved to a dead-letter queue after their last attempt failed',
      labelNames: ['consumer', 'type'] as const,
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
