// One place decides the transport, from configuration only (ARCHITECTURE.md, Run modes):
// RabbitMQ when AMQP_URL is set, otherwise the PostgreSQL-backed transport on a database
// every service of the deployment shares for its queues.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type pg from 'pg';
import { createEventMetrics } from './metrics.ts';
import { startOutboxRelay } from './outbox.ts';
import { createPostgresTransport } from './postgres-transport.ts';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';
import type { EventTransport } from './types.ts';
import { listenAndServe } from '../server.ts';
import type { App } from '../service.ts';

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

export interface OutboxPublishingConfig extends Omit<EventTransportConfig, 'registry'> {
  /** The service's own pool: its outbox table lives there. */
  pool: pg.Pool;
  registry: Registry;
}

export interface OutboxPublishing {
  /** Stops the relay, then the transport; call after the HTTP server stopped, before the pool closes. */
  stop(): Promise<void>;
}

/**
 * What a producing service's server.ts runs: the transport from configuration and the
 * relay of its outbox. Without a transport configured the events wait in the outbox
 * (nothing is lost) and one warning says so.
 */
export async function startOutboxPublishing(config: OutboxPublishingConfig): Promise<OutboxPublishing> {
  if (!config.amqpUrl && !config.eventsDatabaseUrl) {
    config.log.warn({}, 'neither AMQP_URL nor EVENTS_DATABASE_URL is set: events stay in the outbox until a transport is configured (nothing is lost)');
    return { stop: async () => {} };
  }
  const transport = await createEventTransport(config);
  const relay = await startOutboxRelay({ pool: config.pool, transport, log: config.log, metrics: createEventMetrics(config.registry) });
  return {
    async stop() {
      await relay.stop();
      await transport.close();
    },
  };
}

/**
 * The end of a producing service's server.ts: relays its outbox (startOutboxPublishing),
 * listens, and on SIGTERM/SIGINT stops the relay and transport after the app stopped taking
 * requests, then closes the pool.
 */
export async function serveWithOutbox(
  app: App,
  opts: {
    service: string;
    config: { PORT: number; HOST: string; AMQP_URL?: string; EVENTS_DATABASE_URL?: string };
    database: { pool: pg.Pool; close(): Promise<void> };
  },
): Promise<void> {
  const events = await startOutboxPublishing({
    amqpUrl: opts.config.AMQP_URL,
    eventsDatabaseUrl: opts.config.EVENTS_DATABASE_URL,
    service: opts.service,
    pool: opts.database.pool,
    log: app.log,
    registry: app.metrics.registry,
  });
  await listenAndServe(app, {
    port: opts.config.PORT,
    host: opts.config.HOST,
    onClose: async () => {
      await events.stop();
      await opts.database.close();
    },
  });
}
