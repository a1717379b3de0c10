import { sql } from 'drizzle-orm';
import type { Executor } from './executor.ts';

/** Deletes what can no longer be used: long-expired refresh tokens, their empty families, stale throttle rows. */
export async function pruneExpired(db: Executor): Promise<void> {
  await db.execute(sql`delete from refresh_tokens where expires_at < now() - interval '1 day'`);
  await db.execute(
    sql`delete from refresh_token_families f where f.created_at < now() - interval '1 day' and not exists (select 1 from refresh_tokens t where t.family_id = f.id)`,
  );
  await db.execute(sql`delete from login_throttle where window_started_at < now() - interval '1 day' and (locked_until is null or locked_until < now())`);
}
