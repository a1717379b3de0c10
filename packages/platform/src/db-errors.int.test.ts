import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isConnectionError } from './db-errors.ts';
import { createTestDatabase, type TestDatabase } from './testing/index.ts';

/** The error a promise rejects with (fails the test if it resolves). */
async function errorOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => expect.fail('expected a failure'),
    (err: unknown) => err,
  );
}

describe('isConnectionError', () => {
  let tdb: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    tdb = await createTestDatabase('dberrors');
    pool = new pg.Pool({ connectionString: tdb.url, max: 2 });
    await pool.query('create table things (id integer primary key)');
  });
  afterAll(async () => {
    await pool.end();
    await tdb.drop();
  });

  it('is true when nothing listens where the database should be', async () => {
    // A port that was free a moment ago: connecting is refused.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as net.AddressInfo;
        server.close(() => resolve(p));
      });
    });
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/none`, connectionTimeoutMillis: 2_000 });
    expect(isConnectionError(await errorOf(client.connect()))).toBe(true);
  });

  it('is true when the server ends the session under a running statement', async () => {
    const victim = new pg.Client({ connectionString: tdb.url });
    victim.on('error', () => {});
    await victim.connect();
    const pid = (await victim.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const running = errorOf(victim.query('select pg_sleep(30)'));
    await new Promise((r) => setTimeout(r, 100));
    await pool.query('select pg_terminate_backend($1)', [pid]);
    expect(isConnectionError(await running)).toBe(true);
    await victim.end().catch(() => {});
  });

  it('is false for what a statement itself got wrong', async () => {
    await pool.query('insert into things values (1)');
    expect(isConnectionError(await errorOf(pool.query('insert into things values (1)')))).toBe(false); // unique violation
    expect(isConnectionError(await errorOf(pool.query('selec 1')))).toBe(false); // syntax
    expect(isConnectionError(await errorOf(pool.query('select * from missing_table')))).toBe(false);
    expect(isConnectionError(new Error('anything else'))).toBe(false);
  });
});
