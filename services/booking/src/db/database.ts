// The booking database handle: the kit's pool + drizzle with this service's tables.
import { createDatabase, type Database } from '@healthmatch/platform';
import * as schema from './schema.ts';

export type BookingSchema = typeof schema;
export type BookingDatabase = Database<BookingSchema>;

export function createBookingDatabase(url: string, opts: { max?: number } = {}): BookingDatabase {
  return createDatabase(url, schema, { applicationName: 'booking', max: opts.max });
}
