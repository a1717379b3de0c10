// The consumer's inbox (ARCHITECTURE.md, Events): the event id is recorded in the same
// transaction as the effect, so a redelivered event has no second effect. Two deliveries of
// the same event at once: the second insert waits for the first transaction and then finds
// the row (or, if the first rolled back, takes over).
import type pg from 'pg';
import { withAdvisoryLock } from './outbox.ts';
import { runSql, type SqlExecutor } from './sql-executor.ts';
import type { CloudEvent, DeliveryInfo, EventHandler } from './types.ts';

export const INBOX_TABLE = 'inbox';

export const INBOX_TABLE_SQL = `
create table if not exists inbox (
  consumer text not null,
  event_id text not null,
  received_at timestamp with time zone not null default now(),
  primary key (consumer, event_id)
);
create index if not exists inbox_received_at_idx on inbox (received_at);
`;

/** Creates the inbox table if missing; safe when replicas start together. */
export async function ensureInboxTable(pool: pg.Pool): Promise<void> {
  await withAdvisoryLock(pool, `healthmatch:${INBOX_TABLE}`, INBOX_TABLE_SQL);
}

/**
 * Inside the caller's transaction: records (consumer, eventId) and runs `effect` with the
 * same transaction, or returns `{ handled: false }` without running it when this consumer
 * has already handled the event. Throwing from `effect` rolls both back (with the caller's
 * transaction), so the event can be retried.
 */
export async function handleOnce<T, Tx extends SqlExecutor>(
  tx: Tx,
  consumer: string,
  eventId: string,
  effect: (tx: Tx) => Promise<T>,
): Promise<{ handled: true; result: T } | { handled: false }> {
  const rows = await runSql(tx, 'insert into inbox (consumer, event_id) values ($1, $2) on conflict do nothing returning 1 as ok', [consumer, eventId]);
  if (rows.length === 0) return { handled: false };
  return { handled: true, result: await effect(tx) };
}

/** Something that runs a callback in a transaction: a drizzle database or a pg pool. */
export type TransactionRunner<Tx> = { transaction<R>(fn: (tx: Tx) => Promise<R>): Promise<R> };

/** Runs `fn` in a transaction of a pg pool. */
export async function inPgTransaction<R>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<R>): Promise<R> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

/**
 * An EventHandler for `transport.subscribe` that runs `handle` at most once per event id
 * for `consumer`, in one transaction with the inbox row: pass a drizzle database
 * (`database.db`) or a pg pool.
 */
export function inboxHandler<Tx extends SqlExecutor>(
  db: TransactionRunner<Tx> | pg.Pool,
  consumer: string,
  handle: (tx: Tx, event: CloudEvent, info: DeliveryInfo) => Promise<void>,
): EventHandler {
  return async (event, info) => {
    const run = async (tx: Tx) => {
      await handleOnce(tx, consumer, event.id, (t) => handle(t, event, info));
    };
    if ('transaction' in db && typeof db.transaction === 'function') {
      await (db as TransactionRunner<Tx>).transaction(run);
    } else {
      await inPgTransaction(db as pg.Pool, (client) => run(client as unknown as Tx));
    }
  };
}

/** Deletes inbox rows older than `days` (a redelivery later than that is not expected). */
export async function pruneInbox(pool: pg.Pool, days: number): Promise<number> {
  const res = await pool.query(`delete from inbox where received_at < now() - $1 * interval '1 day'`, [days]);
  return res.rowCount ?? 0;
}
