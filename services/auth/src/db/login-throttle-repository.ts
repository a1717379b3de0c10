import { and, eq, gt, sql } from 'drizzle-orm';
import type { LoginThrottleRepository } from '../domain/ports.ts';
import type { Executor } from './executor.ts';
import { loginThrottle } from './schema.ts';

const secondsLeft = sql<number>`greatest(0, ceil(extract(epoch from (${loginThrottle.lockedUntil} - now()))))::int`;

export function loginThrottleRepository(db: Executor): LoginThrottleRepository {
  return {
    async lockedFor(emailNormalised) {
      const [row] = await db
        .select({ s: secondsLeft })
        .from(loginThrottle)
        .where(and(eq(loginThrottle.emailNormalized, emailNormalised), gt(loginThrottle.lockedUntil, sql`now()`)));
      return row?.s ?? 0;
    },
    async recordFailure(emailNormalised, policy) {
      // One statement, so concurrent failures never lose a count. The window starts at the
      // first failure; reaching the limit inside it locks the e-mail for lockoutSeconds.
      const inWindow = sql`login_throttle.window_started_at > now() - make_interval(secs => ${policy.windowSeconds})`;
      const failures = sql`case when ${inWindow} then login_throttle.failures + 1 else 1 end`;
      const lockUntil = sql`now() + make_interval(secs => ${policy.lockoutSeconds})`;
      const [row] = await db
        .insert(loginThrottle)
        .values({
          emailNormalized: emailNormalised,
          failures: 1,
          windowStartedAt: sql`now()`,
          lockedUntil: policy.maxFailures <= 1 ? lockUntil : null,
        })
        .onConflictDoUpdate({
          target: loginThrottle.emailNormalized,
          set: {
            failures,
            windowStartedAt: sql`case when ${inWindow} then login_throttle.window_started_at else now() end`,
            lockedUntil: sql`case when ${failures} >= ${policy.maxFailures} then ${lockUntil} else login_throttle.locked_until end`,
            updatedAt: sql`now()`,
          },
        })
        .returning({ failures: loginThrottle.failures, lockedForSeconds: secondsLeft });
      return { failures: row!.failures, lockedForSeconds: row!.lockedForSeconds ?? 0 };
    },
    async clear(emailNormalised) {
      await db.delete(loginThrottle).where(eq(loginThrottle.emailNormalized, emailNormalised));
    },
  };
}
