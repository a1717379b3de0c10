// The auth journeys against real PostgreSQL, with a real HTTP server playing the users
// service's internal profile endpoint.
import { ROLES } from '@healthmatch/contracts';
import { createTokenVerifier, freePort, type App } from '@healthmatch/platform';
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { sql } from 'drizzle-orm';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { appOn, migratedDatabase, startUsersStub, type TestDb, type UsersStub } from '../../test-support.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const patientProfile = { firstName: 'Anna', lastName: 'Rossi', phone: '+39 011 555 1234' };
const providerProfile = { displayName: 'Studio Bianchi', kind: 'practitioner', languages: ['it', 'en'], address: 'Via Po 3', city: 'Torino', lat: 45.07, lon: 7.69 };
const PASSWORD = 'correct horse battery';

let db: TestDb;
let users: UsersStub;
let app: App;
let n = 0;
const uniqueEmail = (tag = 'user') => `${tag}.${++n}.${Date.now()}@example.com`;

beforeAll(async () => {
  db = await migratedDatabase('auth_routes');
  users = await startUsersStub();
  app = await appOn(db, { USERS_URL: users.url });
});
afterAll(async () => {
  await app?.close();
  await users?.close();
  await db?.close();
});
beforeEach(() => {
  users.answer = { status: 201 };
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => app.inject({ method: 'POST', url, payload: payload as object, headers });
const register = (email: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  post('/api/v1/auth/register', { email, password: PASSWORD, role: 'patient', profile: patientProfile, ...extra }, headers);
const login = (email: string, password = PASSWORD) => post('/api/v1/auth/login', { email, password });
const refresh = (refreshToken: string) => post('/api/v1/auth/refresh', { refreshToken });

async function verifier() {
  const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json();
  return createTokenVerifier(createLocalJWKSet(jwks), { issuer: 'healthmatch-auth', audience: 'healthmatch', roles: ROLES });
}

async function countAccounts(email: string): Promise<number> {
  const r = await db.database.db.execute(sql`select count(*)::int as n from credentials where email_normalized = lower(${email})`);
  return (r.rows[0] as { n: number }).n;
}

describe('register', () => {
  it('creates the account, stores the profile in users with the new user’s own token, and answers with tokens', async () => {
    const email = uniqueEmail('Anna');
    const before = users.calls.length;
    const res = await register(email, {}, { 'x-request-id': 'req-register-1' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      user: { id: expect.stringMatching(UUID_V7), email, role: 'patient' },
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    });

    // What users received: its own contract.
    expect(users.calls).toHaveLength(before + 1);
    const call = users.calls.at(-1)!;
    expect(call.method).toBe('PUT');
    expect(call.url).toBe('/internal/profiles/me');
    expect(call.headers['x-request-id']).toBe('req-register-1');
    // The profile as validated against the contract (its defaults filled in).
    expect(call.body).toEqual({ role: 'patient', email, profile: { ...patientProfile, locale: 'it' } });
    const bearer = /^Bearer (.+)$/.exec(String(call.headers.authorization))?.[1];
    expect(await (await verifier()).verify(bearer!)).toEqual({ id: body.user.id, role: 'patient' });

    // The access token answered verifies with the kit's verifier and carries the claims.
    expect(await (await verifier()).verify(body.accessToken)).toEqual({ id: body.user.id, role: 'patient' });
    const claims = decodeJwt(body.accessToken);
    expect(claims).toMatchObject({ sub: body.user.id, role: 'patient', iss: 'healthmatch-auth', aud: 'healthmatch' });
    expect(claims.exp! - claims.iat!).toBe(900);
    const header = decodeProtectedHeader(body.accessToken);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
  });

  it('registers a provider with a provider profile', async () => {
    const res = await register(uniqueEmail('dr'), { role: 'provider', profile: providerProfile });
    expect(res.statusCode).toBe(201);
    expect(res.json().user.role).toBe('provider');
    expect(users.calls.at(-1)!.body).toMatchObject({ role: 'provider', profile: providerProfile });
  });

  it('keeps the e-mail as given and refuses it again in any case or padding', async () => {
    const email = uniqueEmail('Mixed.Case');
    expect((await register(email)).json().user.email).toBe(email);
    const calls = users.calls.length;
    for (const again of [email.toUpperCase(), email.toLowerCase()]) {
      const dup = await register(again);
      expect(dup.statusCode).toBe(409);
      expect(dup.headers['content-type']).toContain('application/problem+json');
      expect(dup.json()).toMatchObject({ code: 'AUTH_EMAIL_TAKEN', status: 409 });
    }
    expect(users.calls).toHaveLength(calls); // the duplicates never reached users
  });

  it('lets exactly one of two concurrent registrations of the same e-mail through', async () => {
    const email = uniqueEmail('race');
    const [a, b] = await Promise.all([register(email), register(email.toUpperCase())]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    expect(await countAccounts(email)).toBe(1);
  });

  it('creates no account when users is down, and the e-mail stays free', async () => {
    const port = await freePort();
    const down = await appOn(db, { USERS_URL: `http://127.0.0.1:${port}`, USERS_TIMEOUT_MS: '1000' });
    try {
      const email = uniqueEmail('down');
      const res = await down.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, role: 'patient', profile: patientProfile } });
      expect(res.statusCode).toBe(502);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'BAD_GATEWAY' });
      expect(res.body).not.toContain(String(port)); // no internals in the answer
      expect(await countAccounts(email)).toBe(0);
      expect((await login(email)).statusCode).toBe(401);
      expect((await register(email)).statusCode).toBe(201);
    } finally {
      await down.close();
    }
  });

  it('rolls back when users fails, and maps its answers to problems', async () => {
    const email = uniqueEmail('fail');
    users.answer = { status: 500 };
    expect((await register(email)).json()).toMatchObject({ status: 502, code: 'BAD_GATEWAY' });
    users.answer = { status: 503 };
    expect((await register(email)).json()).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    users.answer = { status: 401 };
    expect((await register(email)).json()).toMatchObject({ status: 502, code: 'BAD_GATEWAY' });
    users.answer = {
      status: 400,
      body: { status: 400, code: 'VALIDATION_FAILED', detail: 'body/profile/birthDate is in the future', errors: [{ field: 'body/profile/birthDate', message: 'is in the future' }] },
    };
    const rejected = await register(email);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body/profile/birthDate', message: 'is in the future' }] });
    expect(await countAccounts(email)).toBe(0);
  });
});

describe('login', () => {
  it('logs in with any case of the e-mail and answers the user as registered', async () => {
    const email = uniqueEmail('Login');
    const id = (await register(email)).json().user.id;
    const res = await login(email.toUpperCase());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ user: { id, email, role: 'patient' }, expiresIn: 900 });
    expect(await (await verifier()).verify(res.json().accessToken)).toEqual({ id, role: 'patient' });
    const me = await app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${res.json().accessToken}` } });
    expect(me.json()).toEqual({ id, email, role: 'patient' });
  });

  it('gives an unknown e-mail and a wrong password the same answer', async () => {
    const email = uniqueEmail('same');
    await register(email);
    const wrong = await login(email, 'not the password');
    const unknown = await login(uniqueEmail('nobody'), 'not the password');
    for (const r of [wrong, unknown]) {
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
    }
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined, instance: undefined });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
    expect(wrong.json().code).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('locks an e-mail after 5 failures, known or not, even for the right password, and says when to retry', async () => {
    const known = uniqueEmail('locked');
    await register(known);
    const unknown = uniqueEmail('ghost');
    for (const email of [known, unknown]) {
      for (let i = 0; i < 5; i++) expect((await login(email, `wrong ${i}`)).statusCode).toBe(401);
      const locked = await login(email, PASSWORD);
      expect(locked.statusCode).toBe(429);
      expect(locked.json()).toMatchObject({ code: 'AUTH_ACCOUNT_LOCKED' });
      expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
      expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    }
    // When the lock has passed, the right password works again and clears the count.
    await db.database.db.execute(sql`update login_throttle set locked_until = now() - interval '1 second', window_started_at = now() - interval '1 hour'`);
    expect((await login(known)).statusCode).toBe(200);
    const rows = await db.database.db.execute(sql`select 1 from login_throttle where email_normalized = lower(${known})`);
    expect(rows.rows).toHaveLength(0);
  });

  it('counts failures per window: a success clears them', async () => {
    const email = uniqueEmail('window');
    await register(email);
    for (let i = 0; i < 4; i++) await login(email, 'wrong password');
    expect((await login(email)).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(email, 'wrong password')).statusCode).toBe(401);
    expect((await login(email)).statusCode).toBe(200);
  });

  it('upgrades an argon2 hash of weaker parameters at login', async () => {
    const email = uniqueEmail('weak');
    const id = (await register(email)).json().user.id;
    const weak = await argon2Hash(PASSWORD, { memoryCost: 4096, timeCost: 1 });
    await db.database.db.execute(sql`update credentials set password_hash = ${weak} where id = ${id}`);
    expect((await login(email)).statusCode).toBe(200);
    const r = await db.database.db.execute(sql`select password_hash from credentials where id = ${id}`);
    expect((r.rows[0] as { password_hash: string }).password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(email)).statusCode).toBe(200);
  });

  it('verifies a legacy bcrypt hash at login and replaces it with argon2id', async () => {
    const email = uniqueEmail('legacy');
    const id = (await register(email)).json().user.id;
    const legacyHash = (await bcryptHash(PASSWORD, 4)).replace(/^\$2b\$/, '$2y$');
    await db.database.db.execute(sql`update credentials set password_hash = ${legacyHash} where id = ${id}`);
    expect((await login(email, 'not the password at all')).statusCode).toBe(401);
    expect((await login(email)).statusCode).toBe(200);
    const r = await db.database.db.execute(sql`select password_hash from credentials where id = ${id}`);
    expect((r.rows[0] as { password_hash: string }).password_hash).toMatch(/^\$argon2id\$/);
    expect((await login(email)).statusCode).toBe(200);
  });
});

describe('refresh and logout', () => {
  async function session(role: 'patient' | 'provider' = 'patient') {
    const email = uniqueEmail('session');
    const extra = role === 'provider' ? { role, profile: providerProfile } : {};
    return (await register(email, extra)).json() as { user: { id: string }; refreshToken: string; accessToken: string };
  }

  it('rotates the refresh token at every refresh', async () => {
    const s = await session('provider');
    const r1 = await refresh(s.refreshToken);
    expect(r1.statusCode).toBe(200);
    const b1 = r1.json();
    expect(b1.user).toMatchObject({ id: s.user.id, role: 'provider' });
    expect(b1.refreshToken).not.toBe(s.refreshToken);
    expect(await (await verifier()).verify(b1.accessToken)).toEqual({ id: s.user.id, role: 'provider' });
    const r2 = await refresh(b1.refreshToken);
    expect(r2.statusCode).toBe(200);
    // Only hashes are stored.
    const stored = await db.database.db.execute(sql`select token_hash from refresh_tokens where token_hash = ${b1.refreshToken} or token_hash = ${r2.json().refreshToken}`);
    expect(stored.rows).toHaveLength(0);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const s = await session();
    const other = (await login((await db.database.db.execute(sql`select email from credentials where id = ${s.user.id}`)).rows[0]!.email as string)).json();
    const next = (await refresh(s.refreshToken)).json();
    const reuse = await refresh(s.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json()).toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
    expect((await refresh(next.refreshToken)).json()).toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
    // Another session (family) of the same user is untouched.
    expect((await refresh(other.refreshToken)).statusCode).toBe(200);
  });

  it('lets only one of two concurrent refreshes with the same token succeed', async () => {
    const s = await session();
    const results = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('refuses unknown and expired refresh tokens', async () => {
    expect((await refresh('A'.repeat(43))).json()).toMatchObject({ status: 401, code: 'AUTH_REFRESH_INVALID' });
    const s = await session();
    await db.database.db.execute(sql`update refresh_tokens set expires_at = now() - interval '1 second' where family_id in (select id from refresh_token_families where user_id = ${s.user.id})`);
    expect((await refresh(s.refreshToken)).statusCode).toBe(401);
  });

  it('gives refresh tokens the configured lifetime', async () => {
    const s = await session();
    const r = await db.database.db.execute(
      sql`select round(extract(epoch from t.expires_at - t.created_at) / 86400) as days from refresh_tokens t join refresh_token_families f on f.id = t.family_id where f.user_id = ${s.user.id}`,
    );
    expect(Number((r.rows[0] as { days: string }).days)).toBe(30);
  });

  it('logs out: the family is revoked; unknown tokens still get 204', async () => {
    const s = await session();
    const next = (await refresh(s.refreshToken)).json();
    const out = await post('/api/v1/auth/logout', { refreshToken: next.refreshToken });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    expect((await refresh(next.refreshToken)).statusCode).toBe(401);
    expect((await post('/api/v1/auth/logout', { refreshToken: next.refreshToken })).statusCode).toBe(204);
    expect((await post('/api/v1/auth/logout', { refreshToken: 'B'.repeat(43) })).statusCode).toBe(204);
  });
});

describe('JWKS', () => {
  it('publishes the same public keys at both paths, with kid, alg and use, and nothing private', async () => {
    const a = await app.inject({ url: '/.well-known/jwks.json' });
    const b = await app.inject({ url: '/api/v1/auth/jwks' });
    expect(a.statusCode).toBe(200);
    expect(a.json()).toEqual(b.json());
    expect(a.headers['cache-control']).toContain('max-age');
    for (const k of a.json().keys) {
      expect(k).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.any(String), kid: expect.any(String), alg: 'EdDSA', use: 'sig' });
    }
  });
});
