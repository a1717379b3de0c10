// Availability rules in PostgreSQL: one row per provider, replaced as a whole.
import { eq } from 'drizzle-orm';
import type { AvailabilityRepository, StoredAvailability } from '../domain/ports.ts';
import type { BookingDatabase } from './database.ts';
import { availabilities } from './schema.ts';

type Row = typeof availabilities.$inferSelect;

const toStored = (r: Row): StoredAvailability => ({
  providerId: r.providerId,
  timeZone: r.timeZone,
  weekly: r.weekly,
  exceptions: r.exceptions,
  minNoticeMinutes: r.minNoticeMinutes,
  maxAdvanceDays: r.maxAdvanceDays,
  updatedAt: r.updatedAt,
});

export function availabilityRepository({ db }: BookingDatabase): AvailabilityRepository {
  return {
    async get(providerId) {
      const [row] = await db.select().from(availabilities).where(eq(availabilities.providerId, providerId));
      return row ? toStored(row) : null;
    },
    async put(value, at) {
      const fields = {
        timeZone: value.timeZone,
        weekly: value.weekly.map((w) => ({ ...w })),
        exceptions: value.exceptions.map((e) => ({ ...e, ...(e.intervals ? { intervals: e.intervals.map((i) => ({ ...i })) } : {}) })),
        minNoticeMinutes: value.minNoticeMinutes,
        maxAdvanceDays: value.maxAdvanceDays,
        updatedAt: at,
      };
      const [row] = await db
        .insert(availabilities)
        .values({ providerId: value.providerId, createdAt: at, ...fields })
        .onConflictDoUpdate({ target: availabilities.providerId, set: fields })
        .returning();
      return toStored(row!);
    },
  };
}
