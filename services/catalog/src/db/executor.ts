// The query interface shared by the pool-backed database and a transaction, so a
// repository built on a transaction cannot reach the outer connection by accident.
import type { NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import type * as schema from './schema.ts';

export type CatalogSchema = typeof schema;
export type Executor = PgDatabase<NodePgQueryResultHKT, CatalogSchema>;
