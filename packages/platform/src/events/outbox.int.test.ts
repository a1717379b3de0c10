import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import client from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createEvent } from './envelope.ts';
import { createEventMetrics } from './metrics.ts';
import { backoffMs, createOutboxRelay, enqueue, ensureOutboxTable, OUTBOX_TABLE_SQL, startOutboxRelay } from './outbox.ts';
import { TransportUnavailableError, type CloudEvent } from './types.ts';

const ev = (n: number) => createEvent({ source: '/healthmatch/test', type: 'test.thing.happened.v1', subject: `t-${n}`, data: { n } });

function recordingTransport() {
  const published: CloudEvent[] = [];
  return {
    published,
    async publish(e: CloudEvent) {
      // A little latency so concurrent relays really overlap.
      await new Promise((r) => setTimeout(r, 1));
      published.push(e);
    },
  };
}

describe('outbox', () => {
  let tdb: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    tdb = await createTestDatabase('outbox');
    pool = new pg.Pool({ connectionString: tdb.url, max: 12 });
    // Replicas starting together, and a migration holding the same DDL, are all fine.
    await Promise.all([ensureOutboxTable(pool), ensureOutboxTable(pool), ensureOutboxTable(pool)]);
    await pool.query(OUTBOX_TABLE_SQL);
  });
  afterAll(async () => {
    await pool.end();
    await tdb.drop();
  });
  beforeEach(async () => {
    await pool.query('delete from outbox');
  });

  const count = async (where = 'true') => (await pool.query(`select count(*)::int as n from outbox where ${where}`)).rows[0].n as number;

  it('enqueue in a drizzle transaction commits and rolls back with the business change', async () => {
    const db = drizzle(pool);
    await pool.query('create table if not exists things (id int primary key)');
    const kept = ev(1);
    await db.transaction(async (tx) => {
      await tx.execute('insert into things values (1)');
      await enqueue(tx, kept);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.execute('insert into things values (2)');
        await enqueue(tx, ev(2));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    const rows = (await pool.query('select id, type, payload, attempts, published_at from outbox')).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: kept.id, type: kept.type, payload: kept, attempts: 0, published_at: null });
    expect((await pool.query('select id from things order by id')).rows).toEqual([{ id: 1 }]);
  });

  it('enqueue with a pg client inside a transaction rolls back too', async () => {
    const c = await pool.connect();
    try {
      await c.query('begin');
      await enqueue(c, ev(3));
      await c.query('rollback');
    } finally {
      c.release();
    }
    expect(await count()).toBe(0);
  });

  it('publishes each row exactly once with two relays on the same table', async () => {
    const n = 200;
    for (let i = 0; i < n; i += 50) {
      const c = await pool.connect();
      await c.query('begin');
      for (let j = i; j < i + 50; j++) await enqueue(c, ev(j));
      await c.query('commit');
      c.release();
    }
    const a = recordingTransport();
    const b = recordingTransport();
    const relayA = createOutboxRelay({ pool, transport: a, batchSize: 7 });
    const relayB = createOutboxRelay({ pool, transport: b, batchSize: 7 });
    const results = await Promise.all([relayA.drainOnce(), relayB.drainOnce(), relayA.drainOnce(), relayB.drainOnce()]);
    await Promise.all([relayA.stop(), relayB.stop()]);
    const all = [...a.published, ...b.published].map((e) => e.id);
    expect(all).toHaveLength(n);
    expect(new Set(all).size).toBe(n);
    expect(results.reduce((s, r) => s + r.published, 0)).toBe(n);
    expect(a.published.length).toBeGreaterThan(0);
    expect(b.published.length).toBeGreaterThan(0);
    expect(await count('published_at is null')).toBe(0);
  });

  it('reschedules a failed publish with growing backoff, then publishes it', async () => {
    const e = ev(10);
    await enqueue(pool, e);
    let failures = 2;
    const published: CloudEvent[] = [];
    const transport = {
      async publish(x: CloudEvent) {
        if (failures-- > 0) throw new Error('broker down');
        published.push(x);
      },
    };
    const registry = new client.Registry();
    const metrics = createEventMetrics(registry);
    const relay = createOutboxRelay({ pool, transport, backoffBaseMs: 60_000, metrics });

    expect(await relay.drainOnce()).toMatchObject({ published: 0, failed: 1 });
    const r1 = (await pool.query(`select attempts, last_error, extract(epoch from next_attempt_at - now()) as wait from outbox`)).rows[0];
    expect(r1.attempts).toBe(1);
    expect(r1.last_error).toBe('broker down');
    expect(Number(r1.wait)).toBeGreaterThan(50);
    expect(Number(r1.wait)).toBeLessThanOrEqual(60);
    expect((await registry.getSingleMetric('events_outbox_backlog')?.get())?.values[0]?.value).toBe(1);

    // Not due yet: nothing happens.
    expect(await relay.drainOnce()).toMatchObject({ published: 0, failed: 0 });

    await pool.query(`update outbox set next_attempt_at = now()`);
    await relay.drainOnce();
    const r2 = (await pool.query(`select attempts, extract(epoch from next_attempt_at - now()) as wait from outbox`)).rows[0];
    expect(r2.attempts).toBe(2);
    expect(Number(r2.wait)).toBeGreaterThan(110); // doubled

    await pool.query(`update outbox set next_attempt_at = now()`);
    expect(await relay.drainOnce()).toMatchObject({ published: 1, failed: 0 });
    expect(published.map((x) => x.id)).toEqual([e.id]);
    const r3 = (await pool.query(`select published_at, last_error from outbox`)).rows[0];
    expect(r3.published_at).not.toBeNull();
    expect(r3.last_error).toBeNull();
    expect((await registry.getSingleMetric('events_outbox_backlog')?.get())?.values[0]?.value).toBe(0);
    expect((await registry.getSingleMetric('events_published_total')?.get())?.values[0]?.value).toBe(1);
    expect((await registry.getSingleMetric('events_publish_failures_total')?.get())?.values[0]?.value).toBe(2);
  });

  it('a broker outage charges only the row that failed; the rest of its batch is released and goes out first thing when the broker is back', async () => {
    await pool.query('delete from outbox');
    const events = Array.from({ length: 5 }, (_, i) => ev(100 + i));
    for (const e of events) await enqueue(pool, e);
    let down = true;
    const published: string[] = [];
    const transport = {
      async publish(x: CloudEvent) {
        if (down) throw new Error('broker down');
        published.push(x.id);
      },
    };
    const relay = createOutboxRelay({ pool, transport, backoffBaseMs: 60_000 });
    expect(await relay.drainOnce()).toMatchObject({ published: 0, failed: 1 });
    const rows = (await pool.query(`select id, attempts, next_attempt_at <= now() as due from outbox order by created_at`)).rows;
    expect(rows.map((r) => r.attempts)).toEqual([1, 0, 0, 0, 0]);
    expect(rows.map((r) => r.due)).toEqual([false, true, true, true, true]);
    down = false;
    expect(await relay.drainOnce()).toMatchObject({ published: 4, failed: 0 });
    expect(published).toEqual(events.slice(1).map((e) => e.id));
  });

  it('an unavailable transport charges no backoff: after a long outage every row is due at once and goes out oldest first', async () => {
    await pool.query('delete from outbox');
    let down = true;
    const published: string[] = [];
    const transport = {
      async publish(x: CloudEvent) {
        if (down) throw new TransportUnavailableError('broker unreachable');
        published.push(x.id);
      },
    };
    const relay = createOutboxRelay({ pool, transport, backoffBaseMs: 60_000, publishConcurrency: 1, batchSize: 3 });
    // Bookings keep coming during the outage; the relay keeps trying, round after round.
    const events: CloudEvent[] = [];
    for (let round = 0; round < 12; round++) {
      const e = ev(300 + round);
      events.push(e);
      await enqueue(pool, e);
      expect(await relay.drainOnce()).toMatchObject({ published: 0, failed: 1 });
    }
    const rows = (await pool.query(`select attempts, last_error, next_attempt_at <= now() as due from outbox order by created_at`)).rows;
    expect(rows.every((r) => r.due)).toBe(true);
    expect(rows.reduce((n, r) => n + r.attempts, 0)).toBe(12); // every try is counted...
    expect(rows.filter((r) => r.attempts > 0).every((r) => r.last_error === 'broker unreachable')).toBe(true);
    // ...but none waits a backoff of its own: the first round after the outage sends them all, in order.
    down = false;
    expect(await relay.drainOnce()).toMatchObject({ published: 12, failed: 0 });
    expect(published).toEqual(events.map((e) => e.id));
  });

  it('a failure in the middle of a batch: the rest still goes out, each row exactly once, only the failed one is charged', async () => {
    await pool.query('delete from outbox');
    const events = Array.from({ length: 30 }, (_, i) => ev(200 + i));
    for (const e of events) await enqueue(pool, e);
    const poison = events[7]!.id;
    const published: string[] = [];
    const transport = {
      async publish(x: CloudEvent) {
        await new Promise((r) => setTimeout(r, 1));
        if (x.id === poison) throw new Error('refused');
        published.push(x.id);
      },
    };
    const relay = createOutboxRelay({ pool, transport, backoffBaseMs: 60_000, publishConcurrency: 4 });
    const first = await relay.drainOnce();
    expect(first.failed).toBe(1);
    const second = await relay.drainOnce();
    expect(second.failed).toBe(0);
    expect(first.published + second.published).toBe(29);
    expect([...published].sort()).toEqual(events.filter((e) => e.id !== poison).map((e) => e.id).sort());
    const rows = (await pool.query(`select id, attempts, published_at is not null as published from outbox`)).rows;
    expect(rows.filter((r) => r.attempts > 0).map((r) => r.id)).toEqual([poison]);
    expect(rows.filter((r) => !r.published).map((r) => r.id)).toEqual([poison]);
  });

  it('a commit wakes a listening relay at once: the event does not wait for the next poll', async () => {
    const t = recordingTransport();
    const relay = await startOutboxRelay({ pool, transport: t, pollMs: 60_000 });
    try {
      // Let the first (empty) round and the LISTEN connection settle.
      await new Promise((r) => setTimeout(r, 500));
      const e = ev(40);
      const committedAt = Date.now();
      const c = await pool.connect();
      try {
        await c.query('begin');
        await enqueue(c, e);
        await c.query('commit');
      } finally {
        c.release();
      }
      await expect.poll(() => t.published.map((x) => x.id), { timeout: 5000, interval: 10 }).toEqual([e.id]);
      expect(Date.now() - committedAt).toBeLessThan(2000); // the poll would have taken 60 s
    } finally {
      await relay.stop();
    }
  });

  it('caps the backoff', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000, 5000))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffMs(1000, 1000, 300_000)).toBe(300_000);
  });

  it('deletes published rows older than the retention, keeps pending and recent ones', async () => {
    const [old, recent, pending] = [ev(20), ev(21), ev(22)];
    for (const e of [old, recent, pending]) await enqueue(pool, e);
    await pool.query(`update outbox set published_at = now() - interval '49 hours' where id = $1`, [old.id]);
    await pool.query(`update outbox set published_at = now() - interval '47 hours' where id = $1`, [recent.id]);
    await pool.query(`update outbox set created_at = now() - interval '100 hours', next_attempt_at = now() + interval '1 hour' where id = $1`, [pending.id]);
    const relay = createOutboxRelay({ pool, transport: recordingTransport(), retentionHours: 48 });
    expect(await relay.drainOnce()).toMatchObject({ deleted: 1 });
    expect((await pool.query('select id from outbox order by id')).rows.map((r) => r.id).sort()).toEqual([recent.id, pending.id].sort());
  });

  it('a transport that says it is back ends the relay\'s backoff: the backlog goes at once', async () => {
    await pool.query('delete from outbox');
    let down = true;
    let attempts = 0;
    const published: string[] = [];
    let available: (() => void) | undefined;
    const transport = {
      async publish(x: CloudEvent) {
        attempts++;
        if (down) throw new TransportUnavailableError('broker unreachable');
        published.push(x.id);
      },
      onAvailable(listener: () => void) {
        available = listener;
      },
    };
    // Rounds while failing back off 2 s, then 4 s, ... (pollMs doubled, capped at 60 s).
    const relay = await startOutboxRelay({ pool, transport, pollMs: 1_000, failingRoundMaxMs: 60_000, listen: false });
    try {
      const e = ev(40);
      await enqueue(pool, e);
      await expect.poll(() => attempts, { timeout: 5000 }).toBeGreaterThanOrEqual(1);
      expect(available).toBeTypeOf('function');
      down = false;
      const back = Date.now();
      available!();
      await expect.poll(() => published, { timeout: 1_000, interval: 20 }).toEqual([e.id]);
      expect(Date.now() - back).toBeLessThan(1_000);
    } finally {
      await relay.stop();
    }
  });

  it('a started relay publishes what is enqueued and stops cleanly', async () => {
    const t = recordingTransport();
    const relay = await startOutboxRelay({ pool, transport: t, pollMs: 20 });
    const e = ev(30);
    await enqueue(pool, e);
    await expect.poll(() => t.published.map((x) => x.id), { timeout: 5000 }).toEqual([e.id]);
    await relay.stop();
  });
});
