import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { listenWithReconnect } from './pg-listen.ts';

const until = async (check: () => Promise<boolean> | boolean, ms = 8_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('listenWithReconnect', () => {
  let tdb: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    tdb = await createTestDatabase('pg_listen');
    pool = new pg.Pool({ connectionString: tdb.url, max: 2 });
  });
  afterAll(async () => {
    await pool.end();
    await tdb.drop();
  });

  const backends = async (app: string) =>
    (await pool.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [app])).rows[0].n as number;

  it('hears a channel whose name needs quoting, comes back after its backend is terminated, and is gone after close', async () => {
    const app = `listen-${randomUUID().slice(0, 8)}`;
    const channel = 'Mixed Case "channel"';
    const heard: string[] = [];
    const warnings: string[] = [];
    const listen = listenWithReconnect({
      connection: { connectionString: tdb.url, application_name: app },
      channel,
      onNotification: (p) => heard.push(p),
      label: 'probe',
      log: { warn: (_obj: unknown, msg?: string) => void warnings.push(String(msg)) } as never,
      retryMs: 100,
    });
    await listen.ready;
    await pool.query('select pg_notify($1, $2)', [channel, 'first']);
    await until(() => heard.includes('first'));

    await pool.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [app]);
    await until(() => warnings.length > 0);
    expect(warnings[0]).toBe('probe: LISTEN connection lost; polling until it is back');
    // Re-established: a notification sent after the pause arrives.
    await until(async () => {
      await pool.query('select pg_notify($1, $2)', [channel, 'second']);
      return heard.includes('second');
    });
    expect(warnings).toHaveLength(1);

    await listen.close();
    await until(async () => (await backends(app)) === 0);
    await new Promise((r) => setTimeout(r, 300)); // longer than retryMs: nothing reconnects
    expect(await backends(app)).toBe(0);
  });

  it('a database that cannot be reached: ready settles, retries are logged, close stops them', async () => {
    const warnings: string[] = [];
    const listen = listenWithReconnect({
      connection: { host: '127.0.0.1', port: 1, user: 'nobody', database: 'none', connectionTimeoutMillis: 1_000 },
      channel: 'nowhere',
      onNotification: () => {},
      label: 'probe',
      log: { warn: (_obj: unknown, msg?: string) => void warnings.push(String(msg)) } as never,
      retryMs: 50,
    });
    await listen.ready;
    await until(() => warnings.length >= 2);
    await listen.close();
    const after = warnings.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(warnings.length).toBe(after);
  });
});
