// The field key of a run without FIELD_ENCRYPTION_KEYS: generated once, kept in this
// service's own database so profiles stay readable across restarts (docs/adr/0006).
import type { Db } from '@healthmatch/platform';
import { eq } from 'drizzle-orm';
import { localFieldKeys, type schema } from './schema.ts';

export const LOCAL_FIELD_KEY_ID = 'local';

export interface LocalFieldKey {
  id: string;
  /** base64 of 32 bytes */
  keyMaterial: string;
  /** true when this call generated it (first start) */
  created: boolean;
}

/** Returns the stored local key, generating it with `generate` if there is none (race-safe). */
export async function loadOrCreateLocalFieldKey(db: Db<typeof schema>, generate: () => string): Promise<LocalFieldKey> {
  const inserted = await db
    .insert(localFieldKeys)
    .values({ id: LOCAL_FIELD_KEY_ID, keyMaterial: generate() })
    .onConflictDoNothing()
    .returning({ id: localFieldKeys.id, keyMaterial: localFieldKeys.keyMaterial });
  if (inserted[0]) return { ...inserted[0], created: true };
  const [row] = await db
    .select({ id: localFieldKeys.id, keyMaterial: localFieldKeys.keyMaterial })
    .from(localFieldKeys)
    .where(eq(localFieldKeys.id, LOCAL_FIELD_KEY_ID));
  if (!row) throw new Error('local field key vanished between insert and select');
  return { ...row, created: false };
}
