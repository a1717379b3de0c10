import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

describe('CORS', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack();
    app = await buildApp(gatewayConfig({ ...stack.env, CORS_ORIGINS: 'https://app.example.org' }), { logger: false });
  });
  afterAll(async () => {
    await app.close();
    await stack.close();
  });

  const preflight = (origin: string, method = 'POST') =>
    app.inject({ method: 'OPTIONS', url: '/api/v1/booking/appointments', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, idempotency-key' } });

  it('answers a preflight from an allowed origin itself, without a token and without forwarding', async () => {
    const before = stack.booking.requests.length;
    const res = await preflight('https://app.example.org');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toContain('idempotency-key');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers.vary).toContain('Origin');
    expect(stack.booking.requests.length).toBe(before);
  });

  it('gives an unknown origin nothing to go on', async () => {
    const res = await preflight('https://evil.example');
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await app.inject({ url: '/api/v1/catalog/search?q=x', headers: { origin: 'https://evil.example' } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks answers to an allowed origin, errors included, and exposes the request id', async () => {
    const ok = await app.inject({ url: '/api/v1/catalog/search?q=x', headers: { origin: 'https://app.example.org' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example.org');
    expect(ok.headers['access-control-expose-headers']).toContain('x-request-id');
    expect(ok.headers.vary).toContain('Origin');
    const denied = await app.inject({ url: '/api/v1/users/me', headers: { origin: 'https://app.example.org' } });
    expect(denied.statusCode).toBe(401);
    expect(denied.headers['access-control-allow-origin']).toBe('https://app.example.org');
  });

  it('is off without CORS_ORIGINS', async () => {
    const plain = await buildApp(gatewayConfig(stack.env), { logger: false });
    try {
      const res = await plain.inject({ url: '/api/v1/catalog/search?q=x', headers: { origin: 'https://app.example.org' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});
