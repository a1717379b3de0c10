// One place decides the transport, from configuration only (ARCHITECTURE.md, Run modes):
// RabbitMQ when AMQP_URL is set, otherwise the PostgreSQL-backed transport on a database
// every service of the deployment shares for its queues.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createEventMetrics } from './metrics.ts';
import { createPostgresTransport } from './postgres-transport.ts';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';
import type { EventTransport } from './types.ts';

export interface EventTransportConfig {
  /** AMQP_URL: use RabbitMQ. */
  amqpUrl?: string;
  /** EVENTS_DATABASE_URL: the shared PostgreSQL database of the queues, when there is no broker. */
  eventsDatabaseUrl?: string;
  service: string;
  /** The service's pino logger (app.log). */
  log: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  registry?: Registry;
}

export async function createEventTransport(config: EventTransportConfig): Promise<EventTransport> {
  if (config.amqpUrl) {
    return createRabbitMqTransport({ url: config.amqpUrl, log: config.log, connectionName: config.service });
  }
  if (config.eventsDatabaseUrl) {
    return createPostgresTransport({
      url: config.eventsDatabaseUrl,
      log: config.log,
      applicationName: `${config.service}-events`,
      metrics: config.registry ? createEventMetrics(config.registry) : undefined,
    });
  }
  throw new Error(`${config.service}: events need AMQP_URL (RabbitMQ) or EVENTS_DATABASE_URL (PostgreSQL transport)`);
}
