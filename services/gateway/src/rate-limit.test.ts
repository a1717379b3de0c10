import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

describe('rate limits per client address', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack();
    app = await buildApp(
      gatewayConfig({ ...stack.env, AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60', RATE_LIMIT_MAX: '8', TRUST_PROXY: '10.0.0.0/8' }),
      { logger: false },
    );
  });
  afterAll(async () => {
    await app.close();
    await stack.close();
  });

  const login = (remoteAddress: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers, payload: { email: 'a@example.org', password: 'x' } });

  it('answers 429 problem+json with Retry-After after N login attempts, without forwarding', async () => {
    for (let i = 0; i < 3; i++) expect((await login('198.51.100.1')).statusCode).toBe(200);
    const forwardedBefore = stack.auth.requests.length;
    const limited = await login('198.51.100.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(stack.auth.requests.length).toBe(forwardedBefore);
  });

  it('counts each address, register separately from login', async () => {
    expect((await login('198.51.100.2')).statusCode).toBe(200);
    const register = await app.inject({ method: 'POST', url: '/api/v1/auth/register', remoteAddress: '198.51.100.1', payload: {} });
    expect(register.statusCode).toBe(200);
  });

  it('counts the client behind a trusted proxy, not the proxy', async () => {
    for (let i = 0; i < 3; i++) expect((await login('10.0.0.5', { 'x-forwarded-for': '203.0.113.50' })).statusCode).toBe(200);
    expect((await login('10.0.0.5', { 'x-forwarded-for': '203.0.113.50' })).statusCode).toBe(429);
    expect((await login('10.0.0.5', { 'x-forwarded-for': '203.0.113.51' })).statusCode).toBe(200);
    expect(stack.auth.requests.at(-1)?.headers['x-forwarded-for']).toBe('203.0.113.51');
  });

  it('has a general, looser limit on everything else', async () => {
    const get = () => app.inject({ url: '/api/v1/catalog/search?q=x', remoteAddress: '198.51.100.9' });
    for (let i = 0; i < 8; i++) expect((await get()).statusCode).toBe(200);
    const limited = await get();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    // probes are never limited
    expect((await app.inject({ url: '/healthz', remoteAddress: '198.51.100.9' })).statusCode).toBe(200);
  });
});
