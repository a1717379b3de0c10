import { and, eq, isNull, sql } from 'drizzle-orm';
import type { RefreshTokenRepository } from '../domain/ports.ts';
import type { Executor } from './executor.ts';
import { refreshTokenFamilies, refreshTokens } from './schema.ts';

export function refreshTokenRepository(db: Executor): RefreshTokenRepository {
  return {
    async createFamily(familyId, userId) {
      await db.insert(refreshTokenFamilies).values({ id: familyId, userId });
    },
    async insert(t) {
      await db.insert(refreshTokens).values({
        id: t.id,
        familyId: t.familyId,
        tokenHash: t.tokenHash,
        expiresAt: sql`now() + make_interval(secs => ${t.ttlSeconds})`,
      });
    },
    async findForUpdate(tokenHash) {
      const [row] = await db
        .select({
          id: refreshTokens.id,
          familyId: refreshTokens.familyId,
          userId: refreshTokenFamilies.userId,
          expired: sql<boolean>`${refreshTokens.expiresAt} <= now()`,
          used: sql<boolean>`${refreshTokens.usedAt} is not null`,
          familyRevoked: sql<boolean>`${refreshTokenFamilies.revokedAt} is not null`,
        })
        .from(refreshTokens)
        .innerJoin(refreshTokenFamilies, eq(refreshTokenFamilies.id, refreshTokens.familyId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        // Locks the token and its family: concurrent refreshes of one family take turns,
        // so a second use of the same token sees it used and is treated as reuse.
        .for('update');
      return row;
    },
    async markUsed(id) {
      await db.update(refreshTokens).set({ usedAt: sql`now()` }).where(eq(refreshTokens.id, id));
    },
    async revokeFamily(familyId, reason) {
      await db
        .update(refreshTokenFamilies)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(and(eq(refreshTokenFamilies.id, familyId), isNull(refreshTokenFamilies.revokedAt)));
    },
    async revokeFamilyOfToken(tokenHash, reason) {
      await db
        .update(refreshTokenFamilies)
        .set({ revokedAt: sql`now()`, revokedReason: reason })
        .where(
          and(
            isNull(refreshTokenFamilies.revokedAt),
            eq(refreshTokenFamilies.id, sql`(select ${refreshTokens.familyId} from ${refreshTokens} where ${refreshTokens.tokenHash} = ${tokenHash})`),
          ),
        );
    },
  };
}
