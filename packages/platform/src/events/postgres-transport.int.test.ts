import pg from 'pg';
import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createEvent } from './envelope.ts';
import { createEventMetrics } from './metrics.ts';
import { createOutboxRelay, enqueue, ensureOutboxTable } from './outbox.ts';
import { createPostgresTransport, deadLetterQueueName } from './postgres-transport.ts';
import { describeTransportContract, waitUntil } from './transport-contract.ts';
import type { CloudEvent, DeliveryInfo, EventTransport } from './types.ts';

const tdb: TestDatabase = await createTestDatabase('pgtransport');
afterAll(async () => {
  await tdb.drop();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let typeSeq = 0;
const newType = () => `test.thing${++typeSeq}.happened.v1`;
const ev = (type: string, data: unknown) => createEvent({ source: '/healthmatch/test', type, data });

describe('postgres transport (pg-boss)', () => {
  let transport: EventTransport;
  const registry = new client.Registry();
  const metrics = createEventMetrics(registry);

  beforeAll(async () => {
    transport = await createPostgresTransport({ url: tdb.url, schema: 'pgboss', pollMs: 100, metrics });
  });
  afterAll(async () => {
    await transport.close();
  });

  it('fans a published event out to each subscribed consumer, once each', async () => {
    const type = newType();
    const seen: Record<string, CloudEvent[]> = { booking: [], notifications: [], other: [] };
    const subs = await Promise.all(
      (['booking', 'notifications'] as const).map((consumer) =>
        transport.subscribe({ consumer: `fan-${consumer}`, types: [type], handler: async (e) => void seen[consumer]?.push(e) }),
      ),
    );
    subs.push(await transport.subscribe({ consumer: 'fan-other', types: [newType()], handler: async (e) => void seen.other?.push(e) }));
    const event = ev(type, { appointmentId: 'a-1' });
    await transport.publish(event);
    await waitUntil('both consumers have it', () => seen.booking?.length === 1 && seen.notifications?.length === 1);
    await sleep(300);
    expect(seen.booking).toEqual([event]);
    expect(seen.notifications).toEqual([event]);
    expect(seen.other).toEqual([]);
    for (const s of subs) await s.close();
  });

  it('retries a throwing handler with growing delay, then dead-letters it; the queue keeps going', async () => {
    const type = newType();
    const consumer = 'poisoned';
    const deliveries: { id: string; info: DeliveryInfo; at: number }[] = [];
    const poison = ev(type, { poison: true });
    const sub = await transport.subscribe({
      consumer,
      types: [type],
      maxAttempts: 3,
      retryDelayMs: 1000,
      concurrency: 1,
      handler: async (e, info) => {
        deliveries.push({ id: e.id, info, at: Date.now() });
        if (e.id === poison.id) throw new Error('cannot handle this');
      },
    });
    await transport.publish(poison);
    const good = Array.from({ length: 3 }, (_, i) => ev(type, { i }));
    for (const e of good) await transport.publish(e);
    await waitUntil('the good events are handled', () => good.every((g) => deliveries.some((d) => d.id === g.id)), 20_000);
    await waitUntil('the poison event is dead-lettered', async () => (await transport.deadLetters(consumer)).length > 0, 30_000);
    const attempts = deliveries.filter((d) => d.id === poison.id);
    expect(attempts.map((d) => d.info.attempt)).toEqual([1, 2, 3]);
    // pg-boss's backoff: about delay * 2^(n-1), with jitter up to the same again.
    const gap1 = attempts[1]!.at - attempts[0]!.at;
    const gap2 = attempts[2]!.at - attempts[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(900);
    expect(gap2).toBeGreaterThanOrEqual(1900);
    expect(await transport.deadLetters(consumer)).toEqual([poison]);
    expect(await transport.deadLetters('nobody')).toEqual([]);
    await sleep(300);
    expect(deliveries.filter((d) => d.id === poison.id)).toHaveLength(3);
    const value = async (name: string) =>
      ((await registry.getSingleMetric(name)?.get())?.values ?? []).filter((v) => v.labels.consumer === consumer).reduce((s, v) => s + v.value, 0);
    expect(await value('events_retried_total')).toBe(2);
    expect(await value('events_dead_lettered_total')).toBe(1);
    expect(await value('events_consumed_total')).toBe(3);
    expect(deadLetterQueueName(consumer)).toBe('poisoned.dlq');
    await sub.close();
  });

  it('republishing an event still queued does not queue it twice', async () => {
    const type = newType();
    const seen: string[] = [];
    const sub = await transport.subscribe({ consumer: 'republish', types: [type], handler: async (e) => void seen.push(e.id) });
    await sub.close();
    const e = ev(type, {});
    await transport.publish(e);
    await transport.publish(e);
    const again = await transport.subscribe({ consumer: 'republish', types: [type], handler: async (x) => void seen.push(x.id) });
    await waitUntil('the event arrives', () => seen.length >= 1);
    await sleep(300);
    expect(seen).toEqual([e.id]);
    await again.close();
  });

  it('replicas of a consumer share its queue: each event handled once in all', async () => {
    const replicas = await Promise.all([1, 2].map(() => createPostgresTransport({ url: tdb.url, schema: 'pgboss', pollMs: 100 })));
    try {
      const type = newType();
      const handledBy = new Map<string, number[]>();
      const subs = await Promise.all(
        replicas.map((r, i) =>
          r.subscribe({
            consumer: 'shared',
            types: [type],
            concurrency: 2,
            handler: async (e) => {
              await sleep(5);
              handledBy.set(e.id, [...(handledBy.get(e.id) ?? []), i]);
            },
          }),
        ),
      );
      const events = Array.from({ length: 60 }, (_, i) => ev(type, { i }));
      await Promise.all(events.map((e) => transport.publish(e)));
      await waitUntil('all handled', () => handledBy.size >= events.length);
      await sleep(300);
      expect([...handledBy.values()].every((by) => by.length === 1)).toBe(true);
      for (const s of subs) await s.close();
    } finally {
      for (const r of replicas) await r.close();
    }
  });

  it('carries events from a service outbox to the consumer end to end', async () => {
    const pool = new pg.Pool({ connectionString: tdb.url, max: 4 });
    try {
      await ensureOutboxTable(pool);
      const type = newType();
      const seen: string[] = [];
      const sub = await transport.subscribe({ consumer: 'e2e', types: [type], handler: async (e) => void seen.push(e.id) });
      const events = Array.from({ length: 5 }, (_, i) => ev(type, { i }));
      for (const e of events) await enqueue(pool, e);
      const relay = createOutboxRelay({ pool, transport });
      expect(await relay.drainOnce()).toMatchObject({ published: 5, failed: 0 });
      await waitUntil('all arrive', () => seen.length >= 5);
      expect(new Set(seen)).toEqual(new Set(events.map((e) => e.id)));
      await relay.stop();
      await sub.close();
    } finally {
      await pool.end();
    }
  });
});

describe('postgres transport across processes', () => {
  it('a publish from another transport wakes a consumer at once, not at its next poll', async () => {
    // Two transports on one database stand for two processes (booking publishes,
    // notifications consumes); the consumer polls only every 60 s.
    const consumerSide = await createPostgresTransport({ url: tdb.url, schema: 'pgboss', pollMs: 60_000 });
    const producerSide = await createPostgresTransport({ url: tdb.url, schema: 'pgboss', pollMs: 60_000 });
    try {
      const type = newType();
      const seen: number[] = [];
      const sub = await consumerSide.subscribe({ consumer: 'listen-probe', types: [type], handler: async () => void seen.push(Date.now()) });
      await sleep(300); // the first (empty) fetch is done; the next poll would be in 60 s
      const sentAt = Date.now();
      await producerSide.publish(ev(type, { n: 1 }));
      await waitUntil('delivered', () => seen.length === 1, 5_000);
      expect(seen[0]! - sentAt).toBeLessThan(2_000);
      await sub.close();
    } finally {
      await producerSide.close();
      await consumerSide.close();
    }
  });
});

describeTransportContract('postgres', () => createPostgresTransport({ url: tdb.url, schema: 'pgboss', pollMs: 100 }), { waitMs: 30_000 });
