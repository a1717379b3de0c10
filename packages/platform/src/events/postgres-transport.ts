// The PostgreSQL-backed EventTransport (the embedded default, ARCHITECTURE.md Events), on
// pg-boss 10 in its own schema. Each consumer has a durable queue named after it, shared by
// its replicas, with retries (growing delay) and a dead-letter queue `<consumer>.dlq`.
// Fan-out: subscribe records (event type -> consumer queue) in pg-boss's subscription
// table; publish inserts one job per subscribed queue in a single statement, so it resolves
// only once every copy is committed (pg-boss's own publish() ignores failed sends). The job
// id is the event id: republishing an event still queued is a no-op.
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { parseEvent } from './envelope.ts';
import { listenWithReconnect, type PgListen } from './pg-listen.ts';
import type { EventMetrics } from './metrics.ts';
import { TransportUnavailableError, type CloudEvent, type EventTransport, type SubscribeOptions, type Subscription } from './types.ts';
import { isConnectionError } from '../db-errors.ts';

type TransportLog = Pick<Logger, 'warn' | 'error' | 'debug'>;

export interface PostgresTransportOptions {
  /** The PostgreSQL database holding the queues (the embedded server's, or a shared one). */
  url: string;
  /** pg-boss's schema; default `pgboss`. */
  schema?: string;
  /** Idle pause between fetches of a consumer with nothing to do; default 500 ms. */
  pollMs?: number;
  /** Connections of pg-boss's pool; default 4. */
  maxConnections?: number;
  /** A job active longer than this is failed (and retried); default 15 min. */
  handlerTimeoutSeconds?: number;
  applicationName?: string;
  log?: TransportLog;
  metrics?: EventMetrics;
}

export function deadLetterQueueName(consumer: string): string {
  return `${consumer}.dlq`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]*$/;

export async function createPostgresTransport(opts: PostgresTransportOptions): Promise<EventTransport> {
  const schema = opts.schema ?? 'pgboss';
  if (!SCHEMA_NAME.test(schema)) throw new Error(`postgres transport: invalid schema name ${JSON.stringify(schema)}`);
  const pollMs = opts.pollMs ?? 500;
  const { log, metrics } = opts;
  const boss = new PgBoss({
    connectionString: opts.url,
    schema,
    max: opts.maxConnections ?? 4,
    application_name: opts.applicationName ?? 'healthmatch-events',
    schedule: false,
    supervise: true,
  });
  boss.on('error', (err) => log?.error({ err }, 'postgres transport: pg-boss error'));
  try {
    await boss.start();
  } catch (err) {
    await boss.stop({ graceful: false }).catch(() => {});
    throw err;
  }
  const db = boss.getDb();

  interface LocalSubscription {
    queue: string;
    wake(): void;
    close(): Promise<void>;
    /** Stops fetching and gives the jobs in flight back (failed, so retried later) without waiting. */
    abandon(): Promise<void>;
  }
  const subscriptions = new Set<LocalSubscription>();
  let closed = false;

  // Creating a queue attaches a partition to pg-boss's job table: two at once can deadlock.
  // One at a time in this process; a deadlock with another process is retried.
  let queueChain: Promise<unknown> = Promise.resolve();
  function declareQueues(fn: () => Promise<void>): Promise<void> {
    const next = queueChain.then(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn();
        } catch (err) {
          if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 50 + Math.random() * 200));
        }
      }
    });
    queueChain = next.catch(() => {});
    return next;
  }

  async function publish(event: CloudEvent): Promise<void> {
    if (closed) throw new Error('postgres transport: closed');
    try {
      await publishNow(event);
    } catch (err) {
      if (isConnectionError(err)) throw new TransportUnavailableError(`postgres transport: events database unreachable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      throw err;
    }
  }

  async function publishNow(event: CloudEvent): Promise<void> {
    const { rows } = await db.executeSql(`select name from ${schema}.subscription where event = $1`, [event.type]);
    const queues = rows.map((r: { name: string }) => r.name);
    if (queues.length === 0) return;
    await boss.insert(queues.map((name) => ({ name, data: event, ...(UUID.test(event.id) ? { id: event.id } : {}) })));
    for (const s of subscriptions) if (queues.includes(s.queue)) s.wake();
    // Consumers in other processes LISTEN: they fetch now instead of at their next poll.
    await db.executeSql('select pg_notify($1, $2)', [channel, queues.join(',')]);
  }

  // One LISTEN connection per transport that has subscriptions; while it is down (database
  // restart), consumers poll as before and it is re-established.
  const channel = `${schema}_jobs`;
  let listener: PgListen | undefined;
  function ensureListening(): Promise<void> {
    if (closed) return Promise.resolve();
    listener ??= listenWithReconnect({
      connection: { connectionString: opts.url, application_name: `${opts.applicationName ?? 'healthmatch-events'}-listen` },
      channel,
      onNotification: (payload) => {
        const queues = payload.split(',');
        for (const sub of subscriptions) if (queues.includes(sub.queue)) sub.wake();
      },
      label: 'postgres transport',
      log,
    });
    return listener.ready;
  }

  async function subscribe(o: SubscribeOptions): Promise<Subscription> {
    if (closed) throw new Error('postgres transport: closed');
    const queue = o.consumer;
    const dlq = deadLetterQueueName(queue);
    const maxAttempts = Math.max(1, o.maxAttempts ?? 5);
    const retryDelayMs = o.retryDelayMs ?? 1000;
    const concurrency = Math.max(1, o.concurrency ?? 4);
    // pg-boss counts retry delays in whole seconds; with backoff the delay before retry n is
    // about delay * 2^(n-1) (plus jitter up to the same again).
    const retryDelay = retryDelayMs <= 0 ? 0 : Math.max(1, Math.round(retryDelayMs / 1000));
    const queueOptions: PgBoss.Queue = {
      name: queue,
      retryLimit: maxAttempts - 1,
      retryDelay,
      retryBackoff: retryDelay > 0,
      deadLetter: dlq,
      ...(opts.handlerTimeoutSeconds ? { expireInSeconds: opts.handlerTimeoutSeconds } : {}),
    };
    await declareQueues(async () => {
      await boss.createQueue(dlq, { name: dlq });
      await boss.createQueue(queue, queueOptions);
      await boss.updateQueue(queue, queueOptions);
      for (const type of o.types) await boss.subscribe(type, queue);
    });

    let stopping = false;
    let abandoned = false;
    const inFlight = new Map<string, Promise<void>>();
    let wakeUp: (() => void) | undefined;

    const pause = (ms: number) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeUp = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeUp = done;
      });

    async function handle(job: PgBoss.JobWithMetadata<unknown>): Promise<void> {
      const attempt = job.retryCount + 1;
      const last = job.retryCount >= job.retryLimit;
      let type = 'unknown';
      try {
        const event = parseEvent(job.data);
        type = event.type;
        await o.handler(event, { attempt });
      } catch (err) {
        if (abandoned) return;
        const message = err instanceof Error ? err.message : String(err);
        try {
          await boss.fail(queue, job.id, { message });
        } catch (failErr) {
          // The job stays active until its expiry, then pg-boss retries it.
          log?.error({ err: failErr, jobId: job.id, consumer: queue }, 'postgres transport: could not record a failure');
        }
        if (last) {
          metrics?.deadLettered.inc({ consumer: queue, type });
          log?.error({ err: message, eventType: type, jobId: job.id, consumer: queue, attempt }, 'event dead-lettered after its last attempt');
        } else {
          metrics?.retried.inc({ consumer: queue, type });
          log?.warn({ err: message, eventType: type, jobId: job.id, consumer: queue, attempt }, 'event handler failed, will retry');
        }
        return;
      }
      if (abandoned) return;
      try {
        await boss.complete(queue, job.id);
        metrics?.consumed.inc({ consumer: queue, type });
      } catch (err) {
        // Not acknowledged: redelivered after expiry; the consumer's inbox absorbs it.
        log?.error({ err, jobId: job.id, consumer: queue }, 'postgres transport: could not acknowledge');
      }
    }

    async function loop(): Promise<void> {
      while (!stopping) {
        const free = concurrency - inFlight.size;
        let fetched = 0;
        if (free > 0) {
          let jobs: PgBoss.JobWithMetadata<unknown>[] = [];
          try {
            jobs = await boss.fetch<unknown>(queue, { batchSize: free, includeMetadata: true });
          } catch (err) {
            log?.warn({ err, consumer: queue }, 'postgres transport: fetch failed');
          }
          fetched = jobs.length;
          for (const job of jobs) {
            const p: Promise<void> = handle(job).finally(() => {
              inFlight.delete(job.id);
              wakeUp?.();
            });
            inFlight.set(job.id, p);
          }
        }
        if (stopping) break;
        // More may be waiting when the batch came back full; otherwise wait for a free slot,
        // a local publish, or the poll interval.
        if (fetched > 0 && fetched === free && inFlight.size < concurrency) continue;
        await pause(pollMs);
      }
    }

    await ensureListening();
    const running = loop();
    const sub: LocalSubscription = {
      queue,
      wake: () => wakeUp?.(),
      async close() {
        stopping = true;
        wakeUp?.();
        await running;
        await Promise.allSettled([...inFlight.values()]);
        subscriptions.delete(sub);
      },
      async abandon() {
        stopping = true;
        wakeUp?.();
        await running;
        abandoned = true;
        const ids = [...inFlight.keys()];
        if (ids.length > 0) {
          // Like pg-boss's own shutdown (failWip): the events come again, to any replica.
          const message = 'event transport closed while the handler was in flight';
          await Promise.all(
            ids.map((id) =>
              boss.fail(queue, id, { message }).catch((err: unknown) => {
                log?.warn({ err, consumer: queue, jobId: id }, 'postgres transport: an in-flight event waits for its expiry');
              }),
            ),
          );
        }
        subscriptions.delete(sub);
      },
    };
    subscriptions.add(sub);
    return { close: () => sub.close() };
  }

  async function deadLetters(consumer: string): Promise<CloudEvent[]> {
    const { rows } = await db.executeSql(`select data from ${schema}.job where name = $1 order by created_on, id`, [deadLetterQueueName(consumer)]);
    return rows.map((r: { data: unknown }) => r.data as CloudEvent);
  }

  return {
    name: 'postgres',
    publish,
    subscribe,
    deadLetters,
    async close() {
      if (closed) return;
      closed = true;
      // Does not wait for handlers in flight: their events are given back and delivered again.
      await Promise.all([...subscriptions].map((s) => s.abandon()));
      await listener?.close();
      await boss.stop({ graceful: true, timeout: 1000, wait: true });
    },
  };
}
