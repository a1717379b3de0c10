// The notifications database handle: the kit's pool + drizzle with this service's tables.
import { fileURLToPath } from 'node:url';
import { createDatabase, type Database } from '@healthmatch/platform';
import * as schema from './schema.ts';

export type NotificationsSchema = typeof schema;
export type NotificationsDatabase = Database<NotificationsSchema>;
/** A transaction of this database (what event consumers get). */
export type NotificationsTx = Parameters<Parameters<NotificationsDatabase['db']['transaction']>[0]>[0];

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

export function createNotificationsDatabase(url: string, opts: { max?: number } = {}): NotificationsDatabase {
  return createDatabase(url, schema, { applicationName: 'notifications', max: opts.max });
}
