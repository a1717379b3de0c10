import type { App } from '@healthmatch/platform';
import { createTestTokenIssuer } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { closedPortUrl, gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

const id = '0190b6c2-0000-7000-8000-000000000001';
const patient = { sub: id, role: 'patient' };

describe('access token at the edge', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack();
    // the real verifier: keys come from the fake auth service's JWKS
    app = await buildApp(gatewayConfig(stack.env), { logger: false });
  });
  afterAll(async () => {
    await app.close();
    await stack.close();
  });

  const forwarded = () => [stack.auth, stack.users, stack.catalog, stack.booking].reduce((n, s) => n + s.requests.length, 0);

  it('answers 401 problem+json with WWW-Authenticate on a protected route without a token, and forwards nothing', async () => {
    const before = forwarded();
    for (const [method, url] of [
      ['GET', '/api/v1/users/me'],
      ['GET', '/api/v1/booking/appointments'],
      ['POST', '/api/v1/catalog/offerings'],
      ['GET', '/api/v1/providers/me'],
      ['GET', `/api/v1/providers/${id}/agenda`],
    ] as const) {
      const res = await app.inject({ method, url, payload: method === 'POST' ? { a: 1 } : undefined });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(res.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    }
    expect(forwarded()).toBe(before);
  });

  it('answers 401 for a malformed, foreign, expired or wrong-audience token', async () => {
    const foreign = await createTestTokenIssuer({ kid: stack.issuer.kid }); // same kid, other key
    const tokens = [
      'not-a-jwt',
      await foreign.sign(patient),
      await stack.issuer.sign(patient, { expiresIn: -60 }),
      await stack.issuer.sign(patient, { audience: 'someone-else' }),
      await stack.issuer.sign({ sub: id, role: 'root' }),
    ];
    const before = forwarded();
    for (const t of tokens) {
      const res = await app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${t}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    const basic = await app.inject({ url: '/api/v1/users/me', headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.statusCode).toBe(401);
    expect(forwarded()).toBe(before);
  });

  it('forwards a request with a valid token, token included (the service checks it again)', async () => {
    const token = await stack.issuer.sign({ sub: id, role: 'provider' });
    const res = await app.inject({ method: 'POST', url: '/api/v1/catalog/offerings', headers: { authorization: `Bearer ${token}` }, payload: { serviceId: id } });
    expect(res.statusCode).toBe(200);
    expect(stack.catalog.requests.at(-1)?.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('lets public routes through without a token', async () => {
    const cases: Array<[method: 'GET' | 'POST', url: string]> = [
      ['POST', '/api/v1/auth/register'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/refresh'],
      ['POST', '/api/v1/auth/logout'],
      ['GET', '/.well-known/jwks.json'],
      ['GET', `/api/v1/providers/${id}`],
      ['GET', '/api/v1/catalog/specialties'],
      ['GET', '/api/v1/catalog/services?q=visita'],
      ['GET', '/api/v1/catalog/search?q=cardiologia'],
      ['GET', `/api/v1/catalog/offerings/${id}`],
      ['GET', `/api/v1/booking/slots?offeringId=${id}&from=2030-01-01&to=2030-01-07`],
    ];
    for (const [method, url] of cases) {
      const res = await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(200);
    }
  });

  it('does not let a bad token block a public route (the service decides what it means there)', async () => {
    const res = await app.inject({ url: '/api/v1/catalog/search?q=x', headers: { authorization: 'Bearer garbage' } });
    expect(res.statusCode).toBe(200);
  });
});

describe('access token while auth is unreachable', () => {
  it('answers 503, not 401, when the signing keys were never fetched', async () => {
    const issuer = await createTestTokenIssuer();
    const app = await buildApp(gatewayConfig({ AUTH_URL: await closedPortUrl() }), { logger: false });
    try {
      const res = await app.inject({ url: '/api/v1/users/me', headers: { authorization: `Bearer ${await issuer.sign(patient)}` } });
      expect(res.statusCode).toBe(503);
      expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await app.close();
    }
  });
});
