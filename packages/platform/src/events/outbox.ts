// The transactional outbox (ARCHITECTURE.md, Events). A service writes the event row in the
// same transaction as the change (enqueue); a relay publishes pending rows through the
// transport, marks a row published only after the transport confirmed, retries failures
// with capped exponential backoff, and deletes published rows after a retention time.
// Replicas share the work: rows are claimed with FOR UPDATE SKIP LOCKED and leased.
//
// The table is created by the kit (ensureOutboxTable, called by startOutboxRelay) under an
// advisory lock, like local_field_keys; OUTBOX_TABLE_SQL is the same DDL for a service that
// prefers to have it in its own migration (idempotent, so both can coexist).
import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventMetrics } from './metrics.ts';
import { runSql, type SqlExecutor } from './sql-executor.ts';
import { listenWithReconnect, type PgListen } from './pg-listen.ts';
import { TransportUnavailableError, type CloudEvent, type EventTransport } from './types.ts';

export const OUTBOX_TABLE = 'outbox';

export const OUTBOX_TABLE_SQL = `
create table if not exists outbox (
  id uuid primary key,
  type text not null,
  payload jsonb not null,
  created_at timestamp with time zone not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamp with time zone not null default now(),
  published_at timestamp with time zone,
  last_error text
);
create index if not exists outbox_pending_idx on outbox (next_attempt_at) where published_at is null;
create index if not exists outbox_published_idx on outbox (published_at) where published_at is not null;
`;

/** Creates the outbox table if missing; safe when replicas start together. */
export async function ensureOutboxTable(pool: pg.Pool): Promise<void> {
  await withAdvisoryLock(pool, `healthmatch:${OUTBOX_TABLE}`, OUTBOX_TABLE_SQL);
}

export async function withAdvisoryLock(pool: pg.Pool, lockName: string, ddl: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    try {
      await client.query('select pg_advisory_xact_lock(hashtext($1))', [lockName]);
      await client.query(ddl);
      await client.query('commit');
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Writes `event` into the outbox inside the caller's transaction: a drizzle transaction
 * (`db.transaction(async (tx) => { ...; await enqueue(tx, event) })`) or a pg client that
 * has begun one. Rolled back with the business change, it leaves nothing.
 */
export async function enqueue(tx: SqlExecutor, event: CloudEvent): Promise<void> {
  if (!UUID.test(event.id)) throw new TypeError(`outbox: event id must be a UUID (createEvent makes one), got ${JSON.stringify(event.id)}`);
  // The notification is delivered at commit (never for a rolled-back change) and wakes the
  // relays that listen, so an event leaves within milliseconds instead of at the next poll.
  await runSql(
    tx,
    `with added as (insert into outbox (id, type, payload) values ($1, $2, $3::jsonb) returning 1) select pg_notify('${OUTBOX_CHANNEL}', '') from added`,
    [event.id, event.type, JSON.stringify(event)],
  );
}

/** The LISTEN/NOTIFY channel enqueue() signals and relays listen on. */
export const OUTBOX_CHANNEL = 'healthmatch_outbox';

type RelayLog = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

export interface OutboxRelayOptions {
  pool: pg.Pool;
  transport: Pick<EventTransport, 'publish' | 'onAvailable'>;
  /** Rows claimed per round; default 50. */
  batchSize?: number;
  /** Pause between rounds when nothing was due; default 500 ms. */
  pollMs?: number;
  /** Published rows are deleted after this long; default 72 h. */
  retentionHours?: number;
  /** First retry delay after a failed publish, doubled per attempt; default 1000 ms. */
  backoffBaseMs?: number;
  /** Cap of the retry delay of one row; default 5 min. */
  backoffMaxMs?: number;
  /**
   * Cap of the pause between rounds while publishing fails (the broker is down): rounds
   * back off from pollMs doubling up to this; default 5 s. Only the row that failed is
   * charged an attempt; the rest of its batch is released for the next round, so a broker
   * outage leaves no row waiting minutes of per-row backoff once the broker is back.
   */
  failingRoundMaxMs?: number;
  /** Publishes in flight at once within a batch; default 8. */
  publishConcurrency?: number;
  /** How long a claimed row is reserved for the relay that claimed it; default 60 s. */
  leaseMs?: number;
  /**
   * LISTEN on OUTBOX_CHANNEL with a connection of its own and drain as soon as a commit
   * enqueued something; polling stays as the fallback. Default true.
   */
  listen?: boolean;
  log?: RelayLog;
  metrics?: EventMetrics;
}

export interface DrainResult {
  published: number;
  failed: number;
  deleted: number;
}

export interface OutboxRelay {
  /** One round: claim due rows, publish, mark; delete expired published rows. */
  drainOnce(): Promise<DrainResult>;
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
}

interface ClaimedRow extends Record<string, unknown> {
  id: string;
  type: string;
  payload: CloudEvent;
  attempts: number;
}

/** The delay before retry number `attempts` (1 = first retry): base * 2^(attempts-1), capped. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

/**
 * Starts polling the outbox (ensureOutboxTable first). `drainOnce` can also be called
 * directly, e.g. by tests or right after a commit.
 */
export async function startOutboxRelay(opts: OutboxRelayOptions & { autoStart?: boolean }): Promise<OutboxRelay> {
  const relay = createOutboxRelay(opts);
  await ensureOutboxTable(opts.pool);
  if (opts.autoStart !== false) relay.start();
  return relay;
}

export function createOutboxRelay(opts: OutboxRelayOptions): OutboxRelay & { start(): void } {
  const { pool, transport, log, metrics } = opts;
  const batchSize = opts.batchSize ?? 50;
  const pollMs = opts.pollMs ?? 500;
  const retentionHours = opts.retentionHours ?? 72;
  const baseMs = opts.backoffBaseMs ?? 1000;
  const maxMs = opts.backoffMaxMs ?? 5 * 60_000;
  const leaseMs = opts.leaseMs ?? 60_000;
  const failingRoundMaxMs = opts.failingRoundMaxMs ?? 5_000;
  const publishConcurrency = opts.publishConcurrency ?? 8;
  let failingRounds = 0;

  async function claim(): Promise<ClaimedRow[]> {
    // A short transaction of its own: the lease (next_attempt_at in the future) keeps other
    // relays off the rows while this one publishes without holding locks.
    const { rows } = await pool.query<ClaimedRow>(
      `with due as (
         select id from outbox
         where published_at is null and next_attempt_at <= now()
         order by created_at
         limit $1
         for update skip locked
       )
       update outbox o set next_attempt_at = now() + $2 * interval '1 millisecond'
       from due where o.id = due.id
       returning o.id, o.type, o.payload, o.attempts, o.created_at`,
      [batchSize, leaseMs],
    );
    return rows.sort((a, b) => (a.created_at as Date).getTime() - (b.created_at as Date).getTime());
  }

  /**
   * Publishes one row; marking it published is the caller's. A failure counts an attempt.
   * When the transport itself is unavailable the row is due again at once and the relay's
   * round backoff does the waiting, so no row is left with minutes of backoff of its own
   * when the transport comes back (and rows keep going out oldest first). Any other failure
   * is the row's: it waits its own growing backoff while the rest goes on.
   */
  async function publishRow(row: ClaimedRow): Promise<boolean> {
    try {
      await transport.publish(row.payload);
      return true;
    } catch (err) {
      const attempts = row.attempts + 1;
      const unavailable = err instanceof TransportUnavailableError;
      const delay = unavailable ? 0 : backoffMs(attempts, baseMs, maxMs);
      const message = err instanceof Error ? err.message : String(err);
      await pool.query(
        `update outbox set attempts = $2, last_error = $3, next_attempt_at = now() + $4 * interval '1 millisecond' where id = $1`,
        [row.id, attempts, message.slice(0, 2000), delay],
      );
      metrics?.publishFailures.inc({ type: row.type });
      if (!unavailable) log?.warn({ eventId: row.id, type: row.type, attempts, retryInMs: delay, err: message }, 'outbox: publish failed, will retry');
      else if (failingRounds === 0) log?.warn({ eventId: row.id, type: row.type, err: message }, 'outbox: transport unavailable, holding events until it is back');
      return false;
    }
  }

  async function markPublished(rows: ClaimedRow[]): Promise<void> {
    if (rows.length === 0) return;
    await pool.query('update outbox set published_at = now(), last_error = null where id = any($1::uuid[])', [rows.map((r) => r.id)]);
    for (const r of rows) metrics?.published.inc({ type: r.type });
  }

  /**
   * One claimed batch. The first row goes alone: when the transport is down that costs one
   * failed publish, and the rest of the batch is released (due now, no attempt charged).
   * The others go `publishConcurrency` at a time (order is not promised to consumers);
   * after a failure no further row is started and the unstarted ones are released.
   */
  async function publishBatch(rows: ClaimedRow[]): Promise<{ published: number; failed: number }> {
    const release = async (left: ClaimedRow[]) => {
      if (left.length > 0) await pool.query('update outbox set next_attempt_at = now() where id = any($1::uuid[])', [left.map((r) => r.id)]);
    };
    if (rows.length === 0) return { published: 0, failed: 0 };
    if (!(await publishRow(rows[0]!))) {
      await release(rows.slice(1));
      return { published: 0, failed: 1 };
    }
    const done: ClaimedRow[] = [rows[0]!];
    let failed = 0;
    let next = 1;
    const lane = async () => {
      while (failed === 0 && next < rows.length) {
        const row = rows[next++]!;
        if (await publishRow(row)) done.push(row);
        else failed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(publishConcurrency, rows.length - 1) }, lane));
    await markPublished(done);
    await release(rows.slice(next));
    return { published: done.length, failed };
  }

  async function updateGauges(): Promise<void> {
    if (!metrics) return;
    const { rows } = await pool.query<{ n: number; age: number | null }>(
      `select count(*)::int as n, extract(epoch from now() - min(created_at))::float8 as age from outbox where published_at is null`,
    );
    metrics.outboxBacklog.set(rows[0]?.n ?? 0);
    metrics.outboxOldestPendingSeconds.set(Math.max(0, rows[0]?.age ?? 0));
  }

  async function drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { published: 0, failed: 0, deleted: 0 };
    for (;;) {
      const rows = await claim();
      const batch = await publishBatch(rows);
      result.published += batch.published;
      result.failed += batch.failed;
      if (batch.failed > 0 || rows.length < batchSize || stopping) break;
    }
    if (failingRounds > 0 && result.failed === 0 && result.published > 0) log?.info({ published: result.published, failedRounds: failingRounds }, 'outbox: publishing again');
    failingRounds = result.failed > 0 ? failingRounds + 1 : 0;
    const del = await pool.query(`delete from outbox where published_at is not null and published_at < now() - $1 * interval '1 hour'`, [retentionHours]);
    result.deleted = del.rowCount ?? 0;
    await updateGauges();
    return result;
  }

  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> | undefined;
  let wokenWhileDraining = false;

  function schedule(ms: number): void {
    if (stopping) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      current = drainOnce()
        .catch((err: unknown) => log?.error({ err }, 'outbox: relay round failed'))
        .finally(() => {
          current = undefined;
          const woken = wokenWhileDraining;
          wokenWhileDraining = false;
          if (failingRounds > 0) schedule(Math.min(failingRoundMaxMs, pollMs * 2 ** Math.min(failingRounds, 20)));
          else schedule(woken ? 0 : pollMs);
        });
    }, ms);
  }

  /** A commit enqueued something: drain now (or right after the round in flight). */
  function wake(): void {
    if (stopping || failingRounds > 0) return; // a failing transport keeps its backoff
    if (current) wokenWhileDraining = true;
    else schedule(0);
  }

  // Commits elsewhere wake the relay through its own LISTEN connection (kept up by the kit).
  let listener: PgListen | undefined;
  let watchingTransport = false;

  return {
    start() {
      if (opts.listen !== false && !stopping) {
        listener ??= listenWithReconnect({
          connection: { ...pool.options, application_name: `${pool.options.application_name ?? 'healthmatch'}-outbox-listen` },
          channel: OUTBOX_CHANNEL,
          onNotification: wake,
          label: 'outbox',
          log,
        });
      }
      // The broker is back: the backlog goes now, not at the end of the current backoff.
      if (!watchingTransport && transport.onAvailable) {
        watchingTransport = true;
        transport.onAvailable(() => {
          if (stopping) return;
          failingRounds = 0;
          wake();
        });
      }
      schedule(0);
    },
    drainOnce,
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      await listener?.close();
      await current;
    },
  };
}
