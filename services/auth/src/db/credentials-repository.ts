import type { Role } from '@healthmatch/contracts';
import { PgErrorCode, pgConstraint, pgErrorCode } from '@healthmatch/platform';
import { AppError } from '@healthmatch/platform/errors';
import { and, eq, sql } from 'drizzle-orm';
import type { Credential, CredentialsRepository } from '../domain/ports.ts';
import type { Executor } from './executor.ts';
import { credentials } from './schema.ts';

const columns = { id: credentials.id, email: credentials.email, role: credentials.role, passwordHash: credentials.passwordHash };
type Row = { id: string; email: string; role: string; passwordHash: string };
const toCredential = (r: Row): Credential => ({ ...r, role: r.role as Role });

export function credentialsRepository(db: Executor): CredentialsRepository {
  return {
    async insert(c) {
      try {
        const [row] = await db.insert(credentials).values(c).returning(columns);
        return toCredential(row!);
      } catch (err) {
        if (pgErrorCode(err) === PgErrorCode.uniqueViolation && pgConstraint(err) === 'credentials_email_normalized_key') {
          throw new AppError('AUTH_EMAIL_TAKEN', 'An account with this e-mail already exists');
        }
        throw err;
      }
    },
    async findByEmail(emailNormalised) {
      const [row] = await db.select(columns).from(credentials).where(eq(credentials.emailNormalized, emailNormalised)).limit(1);
      return row ? toCredential(row) : undefined;
    },
    async findById(id) {
      const [row] = await db.select(columns).from(credentials).where(eq(credentials.id, id)).limit(1);
      return row ? toCredential(row) : undefined;
    },
    async replacePasswordHash(id, expected, next) {
      const rows = await db
        .update(credentials)
        .set({ passwordHash: next, updatedAt: sql`now()` })
        .where(and(eq(credentials.id, id), eq(credentials.passwordHash, expected)))
        .returning({ id: credentials.id });
      return rows.length === 1;
    },
  };
}
