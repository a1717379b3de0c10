// Benchmark: how fast a relay drains an outbox backlog once the transport is back after an
// outage, on both transports, against a baseline measured in the same run: the same events
// published straight through the transport (no outbox). Each run also has one subscribed
// consumer, so publishing really fans out.
//   npx tsx bench/outbox-drain.ts [events]          (default 5000)
// Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
// and, for the RabbitMQ half, RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672;
// skipped with a notice when it does not answer).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ensureDatabase } from '../packages/platform/src/postgres-admin.ts';
import {
  createEvent,
  createOutboxRelay,
  createPostgresTransport,
  createRabbitMqTransport,
  enqueue,
  ensureOutboxTable,
  type CloudEvent,
  type EventTransport,
  type RabbitMqTransport,
} from '@healthmatch/platform/events';

const N = Number(process.argv[2] ?? 5000);
const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const amqpUrl = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const withDb = (name: string) => {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
};

async function dropDb(name: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`drop database if exists "${name}" with (force)`);
  await c.end();
}

const makeEvents = (n: number): CloudEvent[] =>
  Array.from({ length: n }, (_, i) => createEvent({ source: '/healthmatch/bench', type: 'bench.thing.happened.v1', subject: String(i), data: { i, note: 'x'.repeat(200) } }));

async function measure(name: string, makeTransport: (db: string) => Promise<EventTransport>): Promise<void> {
  const dbName = `bench_outbox_${randomUUID().slice(0, 8)}`;
  await ensureDatabase(adminUrl, dbName);
  const pool = new pg.Pool({ connectionString: withDb(dbName), max: 4 });
  const transport = await makeTransport(dbName);
  const consumer = `bench-${randomUUID().slice(0, 8)}`;
  let consumed = 0;
  const sub = await transport.subscribe({ consumer, types: ['bench.thing.happened.v1'], handler: async () => void consumed++, concurrency: 8 });
  try {
    // Baseline: straight through the transport.
    const direct = makeEvents(N);
    let t = performance.now();
    for (const e of direct) await transport.publish(e);
    const directMs = performance.now() - t;

    // The backlog an outage leaves: N rows in the outbox, then the relay drains it.
    await ensureOutboxTable(pool);
    const backlog = makeEvents(N);
    const client = await pool.connect();
    await client.query('begin');
    for (const e of backlog) await enqueue(client, e);
    await client.query('commit');
    client.release();
    const relay = createOutboxRelay({ pool, transport, batchSize: 100 });
    t = performance.now();
    let published = 0;
    while (published < N) published += (await relay.drainOnce()).published;
    const drainMs = performance.now() - t;
    const { rows } = await pool.query(`select count(*)::int as n from outbox where published_at is null`);

    const deadline = Date.now() + 120_000;
    while (consumed < 2 * N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const rate = (ms: number) => Math.round((N / ms) * 1000);
    console.log(
      `${name.padEnd(9)} direct publish ${String(rate(directMs)).padStart(6)} events/s | outbox drain ${String(rate(drainMs)).padStart(6)} events/s ` +
        `(${(drainMs / 1000).toFixed(2)} s for ${N}; left ${rows[0].n}) | ratio drain/direct ${(directMs / drainMs).toFixed(2)} | consumed ${consumed}/${2 * N}`,
    );
  } finally {
    await sub.close();
    // RabbitMQ keeps durable queues: remove this run's.
    if ('deleteConsumerQueues' in transport) await (transport as RabbitMqTransport).deleteConsumerQueues(consumer);
    await transport.close();
    await pool.end();
    await dropDb(dbName);
  }
}

console.log(`outbox drain after an outage: ${N} events of ~300 bytes, one consumer subscribed`);
await measure('postgres', (db) => createPostgresTransport({ url: withDb(db), pollMs: 100 }));
try {
  const probe = await createRabbitMqTransport({ url: amqpUrl });
  await probe.close();
} catch (err) {
  console.log(`rabbitmq  skipped: ${(err as Error).message}`);
  process.exit(0);
}
await measure('rabbitmq', () => createRabbitMqTransport({ url: amqpUrl }));
