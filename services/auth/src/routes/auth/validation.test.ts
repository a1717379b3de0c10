// Bad input never reaches a use case: these run without a database (the pool never connects).
import { createDatabase, type App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import * as schema from '../../db/schema.ts';
import { testConfig } from '../../test-support.ts';

const patient = { firstName: 'Anna', lastName: 'Rossi' };
const provider = { displayName: 'Studio Rossi', kind: 'practitioner', languages: ['it'], address: 'Via Roma 1', city: 'Torino', lat: 45.07, lon: 7.68 };
const valid = { email: 'anna@example.com', password: 'correct horse battery', role: 'patient', profile: patient };

let app: App;
const database = createDatabase('postgres://nobody@127.0.0.1:1/none', schema);

beforeAll(async () => {
  app = await buildApp(testConfig(), { database, logger: false });
});
afterAll(async () => {
  await app.close();
  await database.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

function expectProblem(res: Awaited<ReturnType<typeof post>>, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code, type: expect.any(String), title: expect.any(String), requestId: res.headers['x-request-id'] });
  return body as { errors?: Array<{ field: string; message: string }>; detail?: string };
}

const fields = (body: { errors?: Array<{ field: string }> }) => (body.errors ?? []).map((e) => e.field);

describe('POST /api/v1/auth/register input', () => {
  it('lists every field of the wrong type', async () => {
    const body = expectProblem(await post('/api/v1/auth/register', { email: 42, password: true, role: 'patient', profile: 'me' }), 400, 'VALIDATION_FAILED');
    expect(fields(body)).toEqual(expect.arrayContaining(['body/email', 'body/password', 'body/profile']));
  });

  it.each(['admin', 'doctor', ''])('refuses the role %j with the roles one may choose', async (role) => {
    const body = expectProblem(await post('/api/v1/auth/register', { ...valid, role }), 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual([{ field: 'body/role', message: 'must be one of: patient, provider' }]);
  });

  it('checks a patient profile against the patient schema, naming the fields', async () => {
    const body = expectProblem(await post('/api/v1/auth/register', { ...valid, profile: provider }), 400, 'VALIDATION_FAILED');
    expect(fields(body)).toEqual(expect.arrayContaining(['body/profile/firstName', 'body/profile/lastName', 'body/profile/displayName', 'body/profile/kind']));
    expect(fields(body)).not.toContain('body');
  });

  it('checks a provider profile against the provider schema, naming the fields', async () => {
    const body = expectProblem(await post('/api/v1/auth/register', { ...valid, role: 'provider', profile: { displayName: 'X', kind: 'clinic', lat: 100 } }), 400, 'VALIDATION_FAILED');
    expect(fields(body)).toEqual(
      expect.arrayContaining(['body/profile/kind', 'body/profile/languages', 'body/profile/address', 'body/profile/city', 'body/profile/lat', 'body/profile/lon']),
    );
  });

  it('accepts nothing it does not know', async () => {
    const body = expectProblem(await post('/api/v1/auth/register', { ...valid, isAdmin: true, profile: { ...patient, role: 'admin' } }), 400, 'VALIDATION_FAILED');
    expect(fields(body)).toEqual(expect.arrayContaining(['body/isAdmin', 'body/profile/role']));
  });

  it('applies the password policy (10..128) and length limits', async () => {
    expect(fields(expectProblem(await post('/api/v1/auth/register', { ...valid, password: '123456789' }), 400, 'VALIDATION_FAILED'))).toEqual(['body/password']);
    expect(fields(expectProblem(await post('/api/v1/auth/register', { ...valid, password: 'x'.repeat(129) }), 400, 'VALIDATION_FAILED'))).toEqual(['body/password']);
    expect(fields(expectProblem(await post('/api/v1/auth/register', { ...valid, password: ' '.repeat(12) }), 400, 'VALIDATION_FAILED'))).toEqual(['body/password']);
    // Nothing visible, or control characters: refused, saying why.
    for (const password of [' \t\n'.repeat(4), '\u0000'.repeat(11), '\u00ad'.repeat(11), '\u200b'.repeat(14), '\u3000\u00a0\ufeff'.repeat(4), 'secret pass\u0000word', 'secret\u0007password']) {
      const problem = expectProblem(await post('/api/v1/auth/register', { ...valid, email: `pw${Math.random().toString(36).slice(2)}@example.com`, password }), 400, 'VALIDATION_FAILED');
      expect(fields(problem), JSON.stringify(password)).toEqual(['body/password']);
      expect(problem.errors?.[0]?.message).toBe('must be a valid password of 10 to 128 characters, at least one of them visible, no control characters');
    }
    const long = await post('/api/v1/auth/register', { ...valid, email: `${'a'.repeat(250)}@example.com`, profile: { ...patient, firstName: 'A'.repeat(101) } });
    expect(fields(expectProblem(long, 400, 'VALIDATION_FAILED'))).toEqual(expect.arrayContaining(['body/email', 'body/profile/firstName']));
  });

  it('refuses a malformed e-mail and control characters in names', async () => {
    const res = await post('/api/v1/auth/register', { ...valid, email: 'not-an-email', profile: { ...patient, lastName: 'Ros\nsi' } });
    expect(fields(expectProblem(res, 400, 'VALIDATION_FAILED'))).toEqual(expect.arrayContaining(['body/email', 'body/profile/lastName']));
  });

  it('refuses addresses mail could not safely go to: a long local part, a backtick, an encoded-word opener', async () => {
    for (const email of [`${'i'.repeat(65)}@example.org`, 'w3`x@example.org', '=?utf-8?b?QmNj?=1@example.org', 'a@1.2', `long@${'e'.repeat(64)}.org`]) {
      const body = expectProblem(await post('/api/v1/auth/register', { ...valid, email }), 400, 'VALIDATION_FAILED');
      expect(fields(body), email).toEqual(['body/email']);
    }
  });

  it('answers non-JSON bodies with 4xx problems', async () => {
    expectProblem(await post('/api/v1/auth/register', '{"email":'), 400, 'MALFORMED_JSON');
    expectProblem(await post('/api/v1/auth/register', 'email=a', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectProblem(await post('/api/v1/auth/register', '[1,2]'), 400, 'VALIDATION_FAILED');
    expectProblem(await post('/api/v1/auth/register', 'null'), 400, 'VALIDATION_FAILED');
  });
});

describe('login, refresh, logout and me input', () => {
  it('refuses incomplete or padded login bodies', async () => {
    expect(fields(expectProblem(await post('/api/v1/auth/login', { email: 'a@example.com' }), 400, 'VALIDATION_FAILED'))).toEqual(['body/password']);
    expect(fields(expectProblem(await post('/api/v1/auth/login', { email: 'a@example.com', password: 'x', remember: true }), 400, 'VALIDATION_FAILED'))).toEqual([
      'body/remember',
    ]);
    expect(fields(expectProblem(await post('/api/v1/auth/login', { email: 'a@example.com', password: 'x'.repeat(1025) }), 400, 'VALIDATION_FAILED'))).toEqual([
      'body/password',
    ]);
  });

  it('refuses refresh tokens that cannot be ours', async () => {
    for (const refreshToken of ['short', 'a.b.c'.repeat(10), 7, 'x'.repeat(201)]) {
      expectProblem(await post('/api/v1/auth/refresh', { refreshToken }), 400, 'VALIDATION_FAILED');
      expectProblem(await post('/api/v1/auth/logout', { refreshToken }), 400, 'VALIDATION_FAILED');
    }
  });

  it('asks for a bearer token on /me', async () => {
    const res = await app.inject({ url: '/api/v1/auth/me' });
    expectProblem(res as never, 401, 'UNAUTHENTICATED');
    expect(res.headers['www-authenticate']).toBe('Bearer');
  });
});

describe('service basics', () => {
  it('documents every auth route in OpenAPI, responses included', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    const expected: Record<string, string> = { register: '201', login: '200', refresh: '200', logout: '204' };
    for (const [name, ok] of Object.entries(expected)) {
      expect(Object.keys(doc.paths[`/api/v1/auth/${name}`].post.responses)).toEqual(expect.arrayContaining([ok, '400']));
    }
    expect(doc.paths['/.well-known/jwks.json'].get.responses['200']).toBeDefined();
  });

  it('answers unknown routes with a 404 problem', async () => {
    expectProblem(await app.inject({ url: '/api/v1/auth/nope' }) as never, 404, 'NOT_FOUND');
  });
});
