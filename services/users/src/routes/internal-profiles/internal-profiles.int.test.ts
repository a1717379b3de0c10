import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientInput, providerInput } from '../../test-support/fixtures.ts';
import { startHarness, type Harness } from '../../test-support/harness.ts';

describe('PUT /internal/profiles/me', () => {
  let h: Harness;
  let app: App;
  beforeAll(async () => {
    h = await startHarness('users_internal');
    app = await h.app();
  });
  afterAll(() => h.close());

  const put = (headers: Record<string, string>, payload: unknown) => app.inject({ method: 'PUT', url: '/internal/profiles/me', headers, payload: payload as object });

  it('creates the caller’s patient profile once: 201, then 200 with the same profile', async () => {
    const a = await h.account('patient');
    const first = await put(a.auth, patientInput());
    expect(first.statusCode).toBe(201);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toMatchObject({
      id: a.id,
      role: 'patient',
      email: 'mario.rossi@example.it',
      firstName: 'Mario',
      lastName: 'Rossi',
      phone: '+39 333 1234567',
      birthDate: '1980-02-29',
      locale: 'en',
    });
    const again = await put(a.auth, patientInput());
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const rows = await h.raw.query('select count(*)::int as n from patient_profiles where id = $1', [a.id]);
    expect(rows.rows[0].n).toBe(1);
  });

  it('creates a provider profile with the demo flag (default false)', async () => {
    const p = await h.account('provider');
    const res = await put(p.auth, providerInput());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: p.id, role: 'provider', email: 'studio.bianchi@example.it', demo: false, locale: 'it', kind: 'practitioner', languages: ['it', 'en'] });
    const demo = await h.account('provider');
    expect((await put(demo.auth, providerInput({ demo: true }))).json().demo).toBe(true);
  });

  it('answers concurrent repeats of the same call with one profile', async () => {
    const a = await h.account('patient');
    const results = await Promise.all([1, 2, 3, 4].map(() => put(a.auth, patientInput())));
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 200, 200, 201]);
  });

  it('refuses a different profile for an account that has one (409)', async () => {
    const a = await h.account('patient');
    await put(a.auth, patientInput());
    const res = await put(a.auth, patientInput({ firstName: 'Luigi' }));
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('USERS_PROFILE_EXISTS');
    // The same account id under the other role (a token auth would never mint) is refused too.
    const asProvider = await h.issuer.sign({ sub: a.id, role: 'provider' });
    const cross = await put({ authorization: `Bearer ${asProvider}` }, providerInput());
    expect(cross.statusCode).toBe(409);
    const providers = await h.raw.query('select count(*)::int as n from provider_profiles where id = $1', [a.id]);
    expect(providers.rows[0].n).toBe(0);
  });

  it('refuses a body whose role is not the token’s role (403), and admins', async () => {
    const a = await h.account('patient');
    const res = await put(a.auth, providerInput());
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('FORBIDDEN');
    const admin = await h.account('admin');
    expect((await put(admin.auth, patientInput())).statusCode).toBe(403);
    const rows = await h.raw.query('select count(*)::int as n from provider_profiles where id = $1', [a.id]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('validates the profile against the schema of the role in the body', async () => {
    const a = await h.account('patient');
    const res = await put(a.auth, { role: 'patient', email: 'a@b.it', profile: { displayName: 'X', kind: 'facility' } });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/profile/firstName', 'body/profile/lastName', 'body/profile/displayName', 'body/profile/kind']));
    expect(fields).not.toContain('body/profile/city');
  });

  it.each([
    ['an unknown role', { ...patientInput(), role: 'admin' }, 'body/role'],
    ['a bad e-mail', { ...patientInput(), email: 'not-an-email' }, 'body/email'],
    ['a missing e-mail', { role: 'patient', profile: patientInput().profile }, 'body/email'],
    ['an unknown top-level field', { ...patientInput(), password: 'x' }, 'body/password'],
    ['an impossible birth date', patientInput({ birthDate: '1990-02-30' }), 'body/profile/birthDate'],
    ['a future birth date', patientInput({ birthDate: '2999-01-01' }), 'body/profile/birthDate'],
    ['a control character in a name', patientInput({ lastName: 'Ros\u0000si' }), 'body/profile/lastName'],
    ['a bidi override in a name', patientInput({ firstName: 'Ma\u202erio' }), 'body/profile/firstName'],
    ['a blank name', patientInput({ firstName: '   ' }), 'body/profile/firstName'],
    ['a too long name', patientInput({ firstName: 'x'.repeat(101) }), 'body/profile/firstName'],
    ['a bad phone', patientInput({ phone: 'call me' }), 'body/profile/phone'],
    ['latitude out of range', providerInput({ lat: 91 }), 'body/profile/lat'],
    ['a string coordinate', providerInput({ lon: '12.5' }), 'body/profile/lon'],
    ['no languages', providerInput({ languages: [] }), 'body/profile/languages'],
  ])('answers 400 problem+json for %s', async (_name, body, field) => {
    const role = (body as { role?: string }).role === 'provider' ? 'provider' : 'patient';
    const a = await h.account(role);
    const res = await put(a.auth, body);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 401 without a valid token', async () => {
    const a = await h.account('patient');
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: 'Basic abc' },
      { authorization: 'Bearer not.a.jwt' },
      { authorization: `Bearer ${await h.foreignIssuer.sign({ sub: a.id, role: 'patient' })}` },
      { authorization: `Bearer ${await h.issuer.sign({ sub: a.id, role: 'patient' }, { expiresIn: -60 })}` },
      { authorization: `Bearer ${await h.issuer.sign({ sub: a.id, role: 'patient' }, { audience: 'elsewhere' })}` },
      { authorization: `Bearer ${await h.issuer.sign({ sub: 'not-a-uuid', role: 'patient' })}` },
    ];
    for (const headers of cases) {
      const res = await put(headers, patientInput());
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
    const rows = await h.raw.query('select count(*)::int as n from patient_profiles where id = $1', [a.id]);
    expect(rows.rows[0].n).toBe(0);
  });

  it('is not part of the public API description', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/internal/profiles/me');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/users/me', '/api/v1/providers/{id}', '/api/v1/providers']));
  });
});
