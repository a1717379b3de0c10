import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientInput, providerInput } from '../../test-support/fixtures.ts';
import { startHarness, type Harness } from '../../test-support/harness.ts';

describe('/api/v1/users/me', () => {
  let h: Harness;
  let app: App;
  beforeAll(async () => {
    h = await startHarness('users_me');
    app = await h.app();
  });
  afterAll(() => h.close());

  async function registered(role: 'patient' | 'provider') {
    const a = await h.account(role);
    const res = await app.inject({ method: 'PUT', url: '/internal/profiles/me', headers: a.auth, payload: role === 'patient' ? patientInput() : providerInput() });
    expect(res.statusCode).toBe(201);
    return a;
  }
  const patch = (headers: Record<string, string>, payload: unknown) => app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers, payload: payload as object });

  it('gives a patient their full profile', async () => {
    const a = await registered('patient');
    const res = await app.inject({ url: '/api/v1/users/me', headers: a.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    expect(body).toEqual({
      id: a.id,
      role: 'patient',
      email: 'mario.rossi@example.it',
      firstName: 'Mario',
      lastName: 'Rossi',
      phone: '+39 333 1234567',
      birthDate: '1980-02-29',
      locale: 'en',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
      updatedAt: body.createdAt,
    });
  });

  it('gives a provider their full profile, private fields included', async () => {
    const p = await registered('provider');
    const body = (await app.inject({ url: '/api/v1/users/me', headers: p.auth })).json();
    expect(body).toMatchObject({ id: p.id, role: 'provider', email: 'studio.bianchi@example.it', displayName: 'Studio Medico Bianchi', demo: false, locale: 'it', lat: 41.9028 });
  });

  it('answers 404 USERS_PROFILE_NOT_FOUND without a profile (also for admins)', async () => {
    for (const role of ['patient', 'provider', 'admin'] as const) {
      const a = await h.account(role);
      const get = await app.inject({ url: '/api/v1/users/me', headers: a.auth });
      expect(get.statusCode).toBe(404);
      expect(get.json().code).toBe('USERS_PROFILE_NOT_FOUND');
      const res = await patch(a.auth, { locale: 'it' });
      expect(res.statusCode).toBe(404);
      expect(res.json().code).toBe('USERS_PROFILE_NOT_FOUND');
    }
  });

  it('patches a patient’s own fields, keeps the others, and clears with null', async () => {
    const a = await registered('patient');
    const before = (await app.inject({ url: '/api/v1/users/me', headers: a.auth })).json();
    const res = await patch(a.auth, { firstName: ' Maria ', phone: null });
    expect(res.statusCode).toBe(200);
    const after = res.json();
    expect(after).toMatchObject({ firstName: 'Maria', lastName: 'Rossi', phone: null, birthDate: '1980-02-29', locale: 'en', email: 'mario.rossi@example.it' });
    expect(after.createdAt).toBe(before.createdAt);
    expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
    expect((await app.inject({ url: '/api/v1/users/me', headers: a.auth })).json()).toEqual(after);
    const cleared = await patch(a.auth, { birthDate: null, phone: '+39 06 1234567', locale: 'it' });
    expect(cleared.json()).toMatchObject({ birthDate: null, phone: '+39 06 1234567', locale: 'it' });
  });

  it('a change writes users.profile.updated.v1 with the language to the outbox in its transaction; a refused one writes nothing', async () => {
    const a = await registered('patient');
    const events = async () =>
      (await h.raw.query(`select type, payload from outbox where payload->>'subject' = $1 order by created_at`, [a.id])).rows as Array<{ type: string; payload: { source: string; subject: string; data: Record<string, unknown> } }>;
    expect(await events()).toEqual([]);
    const res = await patch(a.auth, { locale: 'it' });
    expect(res.statusCode).toBe(200);
    const [first, ...others] = await events();
    expect(others).toEqual([]);
    expect(first!.type).toBe('users.profile.updated.v1');
    expect(first!.payload).toMatchObject({ source: '/healthmatch/users', subject: a.id });
    // The language and nothing else of the profile: no name, e-mail or phone travels.
    expect(first!.payload.data).toEqual({ userId: a.id, role: 'patient', locale: 'it', updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/) });
    // The profile's updatedAt, to the microsecond (the API shows milliseconds).
    expect(String(first!.payload.data.updatedAt).slice(0, 23)).toBe(res.json().updatedAt.slice(0, 23));
    expect((await patch(a.auth, { locale: 'fr' })).statusCode).toBe(400);
    expect((await patch(a.auth, { firstName: 'Anna', displayName: 'x' })).statusCode).toBe(400);
    expect(await events()).toHaveLength(1);
    await patch(a.auth, { locale: 'en' });
    expect((await events()).map((e) => e.payload.data.locale)).toEqual(['it', 'en']);
  });

  it('concurrent changes of one profile: the event of the change that committed last carries the newest updatedAt', async () => {
    const a = await registered('patient');
    for (let round = 0; round < 5; round++) {
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => patch(a.auth, { locale: i % 2 === 0 ? 'it' : 'en' })));
      expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
      const stored = (await app.inject({ url: '/api/v1/users/me', headers: a.auth })).json().locale;
      const { rows } = await h.raw.query(`select payload->'data' as data from outbox where payload->>'subject' = $1`, [a.id]);
      const stamps = rows.map((r) => r.data.updatedAt as string);
      expect(new Set(stamps).size).toBe(stamps.length); // no two changes share a moment
      const newest = rows.reduce((x, y) => (x.data.updatedAt > y.data.updatedAt ? x : y));
      expect(newest.data.locale).toBe(stored);
    }
  });

  it('patches a provider’s own fields', async () => {
    const p = await registered('provider');
    const res = await patch(p.auth, { city: 'Milano', lat: 45.4642, lon: 9.19, bio: null, languages: ['it'], kind: 'facility' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ city: 'Milano', lat: 45.4642, lon: 9.19, bio: null, languages: ['it'], kind: 'facility', displayName: 'Studio Medico Bianchi', demo: false });
    const pub = (await app.inject({ url: `/api/v1/providers/${p.id}` })).json();
    expect(pub).toMatchObject({ city: 'Milano', bio: null });
  });

  it('refuses fields of the other role with 400, naming them, and changes nothing', async () => {
    const a = await registered('patient');
    const res = await patch(a.auth, { firstName: 'Anna', displayName: 'Dr. Anna', lat: 1, lon: 2 });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors).toEqual(
      expect.arrayContaining([
        { field: 'body/displayName', message: 'is not a field of a patient profile' },
        { field: 'body/lat', message: 'is not a field of a patient profile' },
      ]),
    );
    expect((await app.inject({ url: '/api/v1/users/me', headers: a.auth })).json().firstName).toBe('Mario');
    const p = await registered('provider');
    const wrong = await patch(p.auth, { birthDate: '1970-01-01' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([{ field: 'body/birthDate', message: 'is not a field of a provider profile' }]);
  });

  it.each([
    ['an unknown field', { nickname: 'x' }, 'body/nickname'],
    ['the e-mail (it belongs to the login)', { email: 'new@example.it' }, 'body/email'],
    ['the demo flag', { demo: true }, 'body/demo'],
    ['an empty patch', {}, 'body'],
    ['a wrong type', { firstName: 42 }, 'body/firstName'],
    ['null for a required field', { lastName: null }, 'body/lastName'],
    ['an over-long name', { lastName: 'x'.repeat(101) }, 'body/lastName'],
    ['a newline in a name', { firstName: 'Ma\nria' }, 'body/firstName'],
    ['an escape character in a name', { lastName: '\u001b[31mRossi' }, 'body/lastName'],
    ['a C1 control in a name', { lastName: 'Ros\u0085si' }, 'body/lastName'],
    ['an unknown locale', { locale: 'fr' }, 'body/locale'],
    ['a malformed date', { birthDate: '01/02/1980' }, 'body/birthDate'],
    ['a future birth date', { birthDate: '2999-12-31' }, 'body/birthDate'],
  ])('answers 400 for %s', async (_name, body, field) => {
    const a = await registered('patient');
    const res = await patch(a.auth, body);
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('VALIDATION_FAILED');
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('wants lat and lon together from a provider', async () => {
    const p = await registered('provider');
    const res = await patch(p.auth, { lat: 45 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([{ field: 'body/lon', message: 'must be given together with lat' }]);
  });

  it('answers malformed JSON and other media types with problems', async () => {
    const a = await registered('patient');
    const bad = await app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: { ...a.auth, 'content-type': 'application/json' }, payload: '{"firstName":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('MALFORMED_JSON');
    const text = await app.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: { ...a.auth, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
  });

  it('answers 401 without a valid token, before looking at the body', async () => {
    const a = await registered('patient');
    const foreign = await h.foreignIssuer.sign({ sub: a.id, role: 'patient' });
    const cases: Array<Record<string, string>> = [{}, { authorization: `Bearer ${foreign}` }, { authorization: 'Bearer x' }];
    for (const headers of cases) {
      const get = await app.inject({ url: '/api/v1/users/me', headers });
      expect(get.statusCode).toBe(401);
      expect(get.headers['content-type']).toContain('application/problem+json');
      expect(get.headers['www-authenticate']).toMatch(/^Bearer/);
      const res = await patch(headers, { nonsense: true });
      expect(res.statusCode).toBe(401);
    }
  });
});
