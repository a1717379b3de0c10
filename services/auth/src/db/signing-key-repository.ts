// Signing keys in the auth database. Creating or rotating the active key takes a
// transaction-scoped advisory lock, so replicas starting together serialise and the
// later ones find the key the first one made; the partial unique index on `active` is
// the second guard that makes two active keys impossible.
import { PgErrorCode, pgErrorCode } from '@healthmatch/platform';
import { desc, eq, gt, or, sql } from 'drizzle-orm';
import type { SigningKeyStore, StoredSigningKey } from '../domain/key-ring.ts';
import type { PublicJwk } from '@healthmatch/contracts';
import type { Executor } from './executor.ts';
import { signingKeys } from './schema.ts';

const LOCK = sql`select pg_advisory_xact_lock(hashtext('healthmatch-auth:signing-keys'))`;

export function signingKeyStore(db: Executor): SigningKeyStore {
  return {
    async ensureActive(create) {
      try {
        await db.transaction(async (tx) => {
          await tx.execute(LOCK);
          const [active] = await tx.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.active, true)).limit(1);
          if (active) return;
          await tx.insert(signingKeys).values({ ...(await create()), active: true });
        });
      } catch (err) {
        // Someone made an active key without taking the lock: theirs stands.
        if (pgErrorCode(err) !== PgErrorCode.uniqueViolation) throw err;
      }
    },
    async rotate(create, retiredVerifySeconds) {
      await db.transaction(async (tx) => {
        await tx.execute(LOCK);
        await tx
          .update(signingKeys)
          .set({ active: false, retiredAt: sql`now()`, verifyUntil: sql`now() + make_interval(secs => ${retiredVerifySeconds})` })
          .where(eq(signingKeys.active, true));
        await tx.insert(signingKeys).values({ ...(await create()), active: true });
      });
    },
    async published(): Promise<StoredSigningKey[]> {
      const rows = await db
        .select({
          kid: signingKeys.kid,
          alg: signingKeys.alg,
          publicJwk: signingKeys.publicJwk,
          privateKey: signingKeys.privateKey,
          encryptionKeyId: signingKeys.encryptionKeyId,
          active: signingKeys.active,
        })
        .from(signingKeys)
        .where(or(eq(signingKeys.active, true), gt(signingKeys.verifyUntil, sql`now()`)))
        .orderBy(desc(signingKeys.active), desc(signingKeys.createdAt));
      return rows.map((r) => ({ ...r, publicJwk: r.publicJwk as PublicJwk }));
    },
  };
}

