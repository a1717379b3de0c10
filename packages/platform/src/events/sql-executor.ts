// Runs a parameterized statement on whatever the caller's transaction is: a drizzle
// transaction (db.transaction(async (tx) => ...)) or a pg client/pool.
import { sql, type SQL } from 'drizzle-orm';

/** A drizzle transaction or database (node-postgres driver), or a pg Client/PoolClient/Pool. */
export type SqlExecutor =
  | { execute(query: SQL): PromiseLike<unknown> }
  | { query(text: string, values?: unknown[]): PromiseLike<unknown> };

function toDrizzleSql(text: string, params: readonly unknown[]): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) {
      if (part) chunks.push(sql.raw(part));
    } else {
      chunks.push(sql`${params[Number(part) - 1]}`);
    }
  });
  return sql.join(chunks);
}

export async function runSql<R extends Record<string, unknown> = Record<string, unknown>>(
  executor: SqlExecutor,
  text: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  let result: unknown;
  if ('execute' in executor && typeof executor.execute === 'function') {
    result = await executor.execute(toDrizzleSql(text, params));
  } else if ('query' in executor && typeof executor.query === 'function') {
    result = await executor.query(text, [...params]);
  } else {
    throw new TypeError('expected a drizzle transaction or a pg client');
  }
  const rows = (result as { rows?: R[] }).rows;
  return Array.isArray(rows) ? rows : [];
}
