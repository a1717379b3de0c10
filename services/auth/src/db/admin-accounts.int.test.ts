// Admin accounts come only from the create-admin command: the account can log in and gets
// an admin token, the event tells notifications, a taken or bad address is refused.
import { EventTypes } from '@healthmatch/contracts';
import { AppError } from '@healthmatch/platform';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAdminAccount } from '../domain/admin-accounts.ts';
import { PasswordHasher } from '../domain/passwords.ts';
import { authAppFixture } from '../test-support.ts';
import { createAuthStore } from './store.ts';

const PASSWORD = 'a long admin password';

describe('admin accounts', () => {
  const f = authAppFixture('auth_admins');

  it('creates an admin who logs in with an admin token; the registration event says admin', async () => {
    const store = createAuthStore(f.db.database.db);
    const admin = await createAdminAccount(store, new PasswordHasher(), { email: 'ops@example.org', password: PASSWORD });
    const res = await f.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'ops@example.org', password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    const claims = decodeJwt(res.json().accessToken);
    expect(claims).toMatchObject({ sub: admin.id, role: 'admin' });
    const events = (await f.db.database.pool.query(`select payload from outbox where type = $1`, [EventTypes.userRegistered])).rows;
    expect(events.map((r) => r.payload.data)).toContainEqual({ userId: admin.id, role: 'admin', email: 'ops@example.org', locale: 'it' });
  });

  it('refuses a taken address, an address mail cannot go to, and a short password', async () => {
    const store = createAuthStore(f.db.database.db);
    const hasher = new PasswordHasher();
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'created';
      } catch (err) {
        return err instanceof AppError ? err.code : String(err);
      }
    };
    expect(await codeOf(createAdminAccount(store, hasher, { email: 'OPS@example.org', password: PASSWORD }))).toBe('AUTH_EMAIL_TAKEN');
    expect(await codeOf(createAdminAccount(store, hasher, { email: 'ops\r\nBcc: x@example.org', password: PASSWORD }))).toBe('VALIDATION_FAILED');
    expect(await codeOf(createAdminAccount(store, hasher, { email: 'ops2@example.org', password: 'short' }))).toBe('VALIDATION_FAILED');
  });
});
