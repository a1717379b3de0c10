// The event kit (ARCHITECTURE.md, Events): CloudEvents envelopes, the transactional outbox
// and its relay, the consumer inbox, metrics, and the PostgreSQL-backed transport.
//
// Producer:   await db.transaction(async (tx) => { ...change...; await enqueue(tx, createEvent({ source, type, subject, data })) });
//             const relay = await startOutboxRelay({ pool, transport, log, metrics: createEventMetrics(registry) }); ... await relay.stop();
// Consumer:   await ensureInboxTable(pool);
//             await transport.subscribe({ consumer: 'notifications', types: [...], handler: inboxHandler(db, 'notifications', async (tx, event) => { ... }) });
// Transport:  await createPostgresTransport({ url, metrics }) (RabbitMQ when AMQP_URL is set).
export * from './types.ts';
export * from './envelope.ts';
export * from './metrics.ts';
export * from './outbox.ts';
export * from './inbox.ts';
export { runSql, type SqlExecutor } from './sql-executor.ts';
export * from './postgres-transport.ts';
export { createRabbitMqTransport, queueNames, type RabbitMqTransport, type RabbitMqTransportOptions, type TransportLog } from './rabbitmq-transport.ts';
export * from './transport.ts';
