import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createEvent } from './envelope.ts';
import { ensureInboxTable, handleOnce, inboxHandler, inPgTransaction, pruneInbox } from './inbox.ts';
import { runSql } from './sql-executor.ts';

describe('inbox', () => {
  let tdb: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    tdb = await createTestDatabase('inbox');
    pool = new pg.Pool({ connectionString: tdb.url, max: 20 });
    await Promise.all([ensureInboxTable(pool), ensureInboxTable(pool)]);
    await pool.query('create table effects (event_id text not null, consumer text not null)');
  });
  afterAll(async () => {
    await pool.end();
    await tdb.drop();
  });
  beforeEach(async () => {
    await pool.query('delete from inbox; delete from effects');
  });

  const effects = async () => (await pool.query('select consumer, event_id from effects order by consumer')).rows;
  const event = () => createEvent({ source: '/healthmatch/test', type: 'test.thing.happened.v1', data: { a: 1 } });

  it('runs the effect once for the same event delivered twice (drizzle handler)', async () => {
    const db = drizzle(pool);
    const handler = inboxHandler(db, 'notifications', async (tx, e) => {
      await runSql(tx, 'insert into effects (event_id, consumer) values ($1, $2)', [e.id, 'notifications']);
    });
    const e = event();
    await handler(e, { attempt: 1 });
    await handler(e, { attempt: 2 });
    expect(await effects()).toEqual([{ consumer: 'notifications', event_id: e.id }]);
  });

  it('the same event for two consumers has an effect in each', async () => {
    const e = event();
    for (const consumer of ['a', 'b', 'a']) {
      await inPgTransaction(pool, (c) => handleOnce(c, consumer, e.id, (tx) => tx.query('insert into effects values ($1, $2)', [e.id, consumer])));
    }
    expect(await effects()).toEqual([
      { consumer: 'a', event_id: e.id },
      { consumer: 'b', event_id: e.id },
    ]);
  });

  it('runs the effect once when the same event is delivered concurrently (pg pool handler)', async () => {
    const e = event();
    let ran = 0;
    const handler = inboxHandler(pool, 'users', async (tx: pg.PoolClient, ev) => {
      ran++;
      await new Promise((r) => setTimeout(r, 20)); // hold the transaction open a moment
      await tx.query('insert into effects values ($1, $2)', [ev.id, 'users']);
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => handler(e, { attempt: i + 1 })));
    expect(ran).toBe(1);
    expect(await effects()).toEqual([{ consumer: 'users', event_id: e.id }]);
  });

  it('a failed effect leaves no inbox row, so the redelivery runs it', async () => {
    const e = event();
    let calls = 0;
    const handler = inboxHandler(pool, 'booking', async (tx: pg.PoolClient, ev) => {
      calls++;
      await tx.query('insert into effects values ($1, $2)', [ev.id, 'booking']);
      if (calls === 1) throw new Error('transient');
    });
    await expect(handler(e, { attempt: 1 })).rejects.toThrow('transient');
    expect(await effects()).toEqual([]);
    await handler(e, { attempt: 2 });
    await handler(e, { attempt: 3 });
    expect(calls).toBe(2);
    expect(await effects()).toEqual([{ consumer: 'booking', event_id: e.id }]);
  });

  it('reports whether the effect ran', async () => {
    const e = event();
    const first = await inPgTransaction(pool, (c) => handleOnce(c, 'x', e.id, async () => 42));
    const second = await inPgTransaction(pool, (c) => handleOnce(c, 'x', e.id, async () => 43));
    expect(first).toEqual({ handled: true, result: 42 });
    expect(second).toEqual({ handled: false });
  });

  it('prunes old rows', async () => {
    await pool.query(`insert into inbox (consumer, event_id, received_at) values ('x', 'old', now() - interval '40 days'), ('x', 'new', now())`);
    expect(await pruneInbox(pool, 30)).toBe(1);
    expect((await pool.query('select event_id from inbox')).rows).toEqual([{ event_id: 'new' }]);
  });
});
