// Repository behaviour that the HTTP journeys do not show directly.
import { pgErrorCode } from '@healthmatch/platform';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migratedDatabase, type TestDb } from '../test-support.ts';
import { loginThrottleRepository } from './login-throttle-repository.ts';
import { pruneExpired } from './maintenance.ts';
import { createAuthStore } from './store.ts';

let db: TestDb;
beforeAll(async () => {
  db = await migratedDatabase('auth_repos');
});
afterAll(async () => {
  await db?.close();
});

const policy = { maxFailures: 3, windowSeconds: 600, lockoutSeconds: 300 };

describe('login throttle', () => {
  it('counts concurrent failures without losing any and locks at the limit', async () => {
    const repo = loginThrottleRepository(db.database.db);
    const results = await Promise.all([1, 2, 3].map(() => repo.recordFailure('c@example.com', policy)));
    expect(results.map((r) => r.failures).sort()).toEqual([1, 2, 3]);
    expect(Math.max(...results.map((r) => r.lockedForSeconds))).toBe(300);
    expect(await repo.lockedFor('c@example.com')).toBe(300);
    expect(await repo.lockedFor('other@example.com')).toBe(0);
  });

  it('starts a new count once the window has passed', async () => {
    const repo = loginThrottleRepository(db.database.db);
    await repo.recordFailure('w@example.com', policy);
    await repo.recordFailure('w@example.com', policy);
    await db.database.db.execute(sql`update login_throttle set window_started_at = now() - interval '11 minutes' where email_normalized = 'w@example.com'`);
    expect(await repo.recordFailure('w@example.com', policy)).toEqual({ failures: 1, lockedForSeconds: 0 });
    await repo.clear('w@example.com');
    expect(await repo.lockedFor('w@example.com')).toBe(0);
  });
});

describe('constraints', () => {
  it('allows one active signing key only', async () => {
    const insert = (kid: string) =>
      db.database.db.execute(sql`insert into signing_keys (kid, alg, public_jwk, private_key, active) values (${kid}, 'EdDSA', '{}'::jsonb, '{}', true)`);
    await insert('k-one');
    const second = await insert('k-two').catch((err: unknown) => err);
    expect(pgErrorCode(second)).toBe('23505');
    await db.database.db.execute(sql`delete from signing_keys where kid = 'k-one'`);
  });

  it('derives the normalised e-mail in the database', async () => {
    const store = createAuthStore(db.database.db);
    const c = await store.credentials.insert({ id: '01900000-0000-7000-8000-0000000000aa', email: 'Mixed@Example.com', passwordHash: 'x', role: 'patient' });
    expect(c.email).toBe('Mixed@Example.com');
    expect((await store.credentials.findByEmail('mixed@example.com'))?.id).toBe(c.id);
    await expect(store.credentials.insert({ id: '01900000-0000-7000-8000-0000000000ab', email: 'MIXED@example.COM', passwordHash: 'x', role: 'patient' })).rejects.toMatchObject({
      code: 'AUTH_EMAIL_TAKEN',
    });
    await expect(
      db.database.db.execute(sql`insert into credentials (id, email, password_hash, role) values ('01900000-0000-7000-8000-0000000000ac', 'x@example.com', 'x', 'root')`),
    ).rejects.toThrow();
  });

  it('rolls back everything a failed transaction did', async () => {
    const store = createAuthStore(db.database.db);
    await expect(
      store.transaction(async (tx) => {
        await tx.credentials.insert({ id: '01900000-0000-7000-8000-0000000000ad', email: 'rollback@example.com', passwordHash: 'x', role: 'patient' });
        throw new Error('downstream failed');
      }),
    ).rejects.toThrow('downstream failed');
    expect(await store.credentials.findByEmail('rollback@example.com')).toBeUndefined();
  });
});

describe('pruning', () => {
  it('deletes long-expired refresh tokens, their empty families and stale throttle rows', async () => {
    const store = createAuthStore(db.database.db);
    const userId = '01900000-0000-7000-8000-0000000000ae';
    await store.credentials.insert({ id: userId, email: 'prune@example.com', passwordHash: 'x', role: 'patient' });
    const familyId = '01900000-0000-7000-8000-0000000000af';
    await store.refreshTokens.createFamily(familyId, userId);
    await store.refreshTokens.insert({ id: '01900000-0000-7000-8000-0000000000b0', familyId, tokenHash: 'h-old', ttlSeconds: 60 });
    await store.refreshTokens.insert({ id: '01900000-0000-7000-8000-0000000000b1', familyId, tokenHash: 'h-live', ttlSeconds: 3600 });
    await db.database.db.execute(sql`update refresh_tokens set expires_at = now() - interval '2 days' where token_hash = 'h-old'`);
    await db.database.db.execute(sql`insert into login_throttle (email_normalized, failures, window_started_at) values ('stale@example.com', 2, now() - interval '2 days')`);

    await pruneExpired(db.database.db);
    const tokens = await db.database.db.execute(sql`select token_hash from refresh_tokens where family_id = ${familyId}`);
    expect(tokens.rows).toEqual([{ token_hash: 'h-live' }]);
    const stale = await db.database.db.execute(sql`select 1 from login_throttle where email_normalized = 'stale@example.com'`);
    expect(stale.rows).toHaveLength(0);

    await db.database.db.execute(sql`update refresh_tokens set expires_at = now() - interval '2 days' where family_id = ${familyId}`);
    await db.database.db.execute(sql`update refresh_token_families set created_at = now() - interval '2 days' where id = ${familyId}`);
    await pruneExpired(db.database.db);
    const families = await db.database.db.execute(sql`select 1 from refresh_token_families where id = ${familyId}`);
    expect(families.rows).toHaveLength(0);
  });
});
