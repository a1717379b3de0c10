// The catalog database handle: the kit's pool + drizzle with this service's tables.
import { createDatabase, runMigrations, type Database } from '@healthmatch/platform';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.ts';

export type CatalogDatabase = Database<typeof schema>;

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export function createCatalogDatabase(url: string, opts: { max?: number; applicationName?: string } = {}): CatalogDatabase {
  return createDatabase(url, schema, { applicationName: opts.applicationName ?? 'catalog', max: opts.max });
}

export function migrateCatalogDatabase(url: string): Promise<void> {
  return runMigrations(url, MIGRATIONS_FOLDER, 'catalog');
}
