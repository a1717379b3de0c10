// PostgreSQL access for services: a pg pool, Drizzle on top, and migrations applied at
// startup under an advisory lock so two replicas starting together do not race.
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

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
    connectionTimeoutMillis: 5_000,
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
