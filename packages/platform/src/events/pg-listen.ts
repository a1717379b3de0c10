// A LISTEN connection of its own (not one of a pool's, whose clients come and go), kept up:
// after an error (database restart, terminated backend) it is re-established after a pause.
// While it is down its users carry on polling, so a lost notification only costs latency.
import pg from 'pg';
import type { Logger } from 'pino';

export interface PgListenOptions {
  /** How to connect; give it an application_name so the connection is recognisable. */
  connection: pg.ClientConfig;
  channel: string;
  onNotification(payload: string): void;
  /** Names the user in the log line when the connection is lost, e.g. `outbox`. */
  label: string;
  log?: Pick<Logger, 'warn'>;
  /** Pause before reconnecting; default 2 s. */
  retryMs?: number;
}

export interface PgListen {
  /** Settles once the first attempt is over: listening, or a retry scheduled. */
  ready: Promise<void>;
  /** Stops retrying and closes the connection. */
  close(): Promise<void>;
}

export function listenWithReconnect(o: PgListenOptions): PgListen {
  const retryMs = o.retryMs ?? 2_000;
  let closed = false;
  let listening: pg.Client | undefined;
  let attempt: Promise<void> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | undefined;

  function connect(): Promise<void> {
    const client = new pg.Client(o.connection);
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return; // an error event and a rejected query can both report one loss
      failed = true;
      if (listening === client) listening = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => {});
      if (closed) return;
      o.log?.warn({ err: err instanceof Error ? err.message : String(err) }, `${o.label}: LISTEN connection lost; polling until it is back`);
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        attempt = connect();
      }, retryMs);
    };
    client.on('error', fail);
    client.on('notification', (n) => o.onNotification(n.payload ?? ''));
    return (async () => {
      try {
        await client.connect();
        await client.query(`listen ${client.escapeIdentifier(o.channel)}`);
        if (closed) {
          failed = true;
          await client.end().catch(() => {});
          return;
        }
        listening = client;
      } catch (err) {
        fail(err);
      }
    })();
  }

  attempt = connect();
  return {
    ready: attempt,
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await attempt;
      const client = listening;
      listening = undefined;
      if (client) {
        client.removeAllListeners('error');
        client.on('error', () => {});
        await client.end().catch(() => {});
      }
    },
  };
}
