// PostgreSQL access for services: a pg pool, Drizzle on top, and migrations applied at
// startup under an advisory lock so two replicas starting together do not race.
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { FieldKeyRing } from './crypto.ts';
import {
  LOCAL_FIELD_KEY_ID,
  LOCAL_FIELD_KEYS_TABLE,
  resolveFieldKeyRing,
  type FieldKeyRingOptions,
  type LocalFieldKey,
  type LocalFieldKeyStore,
} from './field-keys.ts';

export type Db<TSchema extends Record<string, unknown> = Record<string, never>> = NodePgDatabase<TSchema>;

export interface Database<TSchema extends Record<string, unknown>> {
  pool: pg.Pool;
  db: Db<TSchema>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  max?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

export function createDatabase<TSchema extends Record<string, unknown>>(
  url: string,
  schema: TSchema,
  opts: DatabaseOptions = {},
): Database<TSchema> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    application_name: opts.applicationName,
    // Under a burst, waiting a while for a pooled connection beats failing; past this the
    // request answers 503 (see isPoolTimeout), never a 500.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  const db = drizzle(pool, { schema, casing: 'snake_case' });
  return {
    pool,
    db,
    async ping() {
      await pool.query('select 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** A stable 32-bit key per migrations folder name, for pg_advisory_lock. */
function lockKey(name: string): number {
  let h = 0;
  for (const ch of `hm-migrate:${name}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

export async function runMigrations(url: string, migrationsFolder: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: `${name}-migrate` });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [lockKey(name)]);
    try {
      await migrate(drizzle(client), { migrationsFolder, migrationsSchema: 'drizzle', migrationsTable: `__migrations_${name}` });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [lockKey(name)]);
    }
  } finally {
    await client.end();
  }
}

/**
 * The local field key of a run without FIELD_ENCRYPTION_KEYS, in the table
 * local_field_keys of the service's own database (docs/adr/0006). The table is created
 * here, on first use, rather than by each service's migrations: only a run on the local
 * key needs it, so a database whose service has always had its keys from the environment
 * never holds a key table. (users' migration 0000 creates the same table; then this is a
 * no-op.) Everything happens in one transaction under an advisory lock, so replicas
 * starting together neither trip over the DDL nor store two keys.
 */
export function localFieldKeyStore(pool: pg.Pool): LocalFieldKeyStore {
  const table = LOCAL_FIELD_KEYS_TABLE; // a constant identifier of ours, not input
  return {
    async loadOrCreate(generate): Promise<LocalFieldKey> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        try {
          await client.query(`select pg_advisory_xact_lock(hashtext('healthmatch:${LOCAL_FIELD_KEYS_TABLE}'))`);
          await client.query(
            `create table if not exists ${table} (id text primary key, key_material text not null, created_at timestamp with time zone not null default now())`,
          );
          const inserted = await client.query<{ key_material: string }>(
            `insert into ${table} (id, key_material) values ($1, $2) on conflict (id) do nothing returning key_material`,
            [LOCAL_FIELD_KEY_ID, generate()],
          );
          let key: LocalFieldKey;
          if (inserted.rows[0]) {
            key = { id: LOCAL_FIELD_KEY_ID, keyMaterial: inserted.rows[0].key_material, created: true };
          } else {
            const stored = await client.query<{ key_material: string }>(`select key_material from ${table} where id = $1`, [LOCAL_FIELD_KEY_ID]);
            if (!stored.rows[0]) throw new Error(`${LOCAL_FIELD_KEYS_TABLE}: the local key vanished between insert and select`);
            key = { id: LOCAL_FIELD_KEY_ID, keyMaterial: stored.rows[0].key_material, created: false };
          }
          await client.query('commit');
          return key;
        } catch (err) {
          await client.query('rollback').catch(() => {});
          throw err;
        }
      } finally {
        client.release();
      }
    },
  };
}

/**
 * A service's field key ring at start-up: FIELD_ENCRYPTION_KEYS (or `variable`) when set,
 * otherwise the local key in this database (with a warning); then checks that it opens
 * every stored envelope (`keyIdsInUse`). See resolveFieldKeyRing.
 */
export function loadFieldKeyRing(database: { pool: pg.Pool }, opts: FieldKeyRingOptions): Promise<FieldKeyRing> {
  return resolveFieldKeyRing({ ...opts, localKeys: localFieldKeyStore(database.pool) });
}

/** PostgreSQL error codes the repositories translate into domain outcomes. */
export const PgErrorCode = {
  uniqueViolation: '23505',
  exclusionViolation: '23P01',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  serializationFailure: '40001',
} as const;

export function pgErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  // drizzle wraps driver errors; walk the cause chain
  for (let i = 0; i < 5 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function pgConstraint(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const c = (e as { constraint?: unknown }).constraint;
    if (typeof c === 'string') return c;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export { isPoolTimeout } from './db-errors.ts';
