import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import pg from 'pg';
import { createEvent } from './envelope.ts';
import { enqueue, ensureOutboxTable } from './outbox.ts';
import { createEventTransport, startOutboxPublishing } from './transport.ts';
import { Registry } from 'prom-client';

describe('createEventTransport', () => {
  let tdb: TestDatabase;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    tdb = await createTestDatabase('events_choice');
  });
  afterAll(() => tdb.drop());

  it('uses the PostgreSQL transport when only EVENTS_DATABASE_URL is given', async () => {
    const transport = await createEventTransport({ service: 'demo', eventsDatabaseUrl: tdb.url, log });
    try {
      expect(transport.name).toBe('postgres');
    } finally {
      await transport.close();
    }
  });

  it('says which variables are missing when neither is given', async () => {
    await expect(createEventTransport({ service: 'demo', log })).rejects.toThrow(/AMQP_URL.*EVENTS_DATABASE_URL/);
  });
});

describe('startOutboxPublishing', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase('events_publishing');
  });
  afterAll(() => tdb.drop());

  it('without a transport keeps events in the outbox and says so once', async () => {
    const warnings: unknown[] = [];
    const log = Object.assign(pino({ level: 'silent' }), { warn: (...args: unknown[]) => void warnings.push(args) });
    const pool = new pg.Pool({ connectionString: tdb.url });
    const publishing = await startOutboxPublishing({ service: 'demo', pool, log, registry: new Registry() });
    await publishing.stop();
    await pool.end();
    expect(warnings).toHaveLength(1);
  });

  it('with EVENTS_DATABASE_URL relays what the service enqueued', async () => {
    const pool = new pg.Pool({ connectionString: tdb.url });
    await ensureOutboxTable(pool);
    const client = await pool.connect();
    try {
      await client.query('begin');
      await enqueue(client, createEvent({ source: '/healthmatch/demo', type: 'demo.thing.happened.v1', data: { n: 1 } }));
      await client.query('commit');
    } finally {
      client.release();
    }
    const publishing = await startOutboxPublishing({ service: 'demo', eventsDatabaseUrl: tdb.url, pool, log: pino({ level: 'silent' }), registry: new Registry() });
    try {
      const deadline = Date.now() + 15_000;
      let pending = 1;
      while (pending > 0 && Date.now() < deadline) {
        pending = (await pool.query('select count(*)::int as n from outbox where published_at is null')).rows[0].n;
        if (pending > 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(pending).toBe(0);
    } finally {
      await publishing.stop();
      await pool.end();
    }
  });
});
