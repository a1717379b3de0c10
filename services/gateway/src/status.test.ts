import type { App } from '@healthmatch/platform';
import { sendJson } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { closedPortUrl, gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

describe('health, readiness, status and metrics', () => {
  let stack: Stack;
  let app: App;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await app?.close();
    await stack.close();
  });

  it('is live and ready on its own, and /status reports every service', async () => {
    app = await buildApp(gatewayConfig(stack.env), { logger: false });
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', service: 'gateway' });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const status = await app.inject({ url: '/status' });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toEqual({ status: 'ok', services: { auth: 'ready', users: 'ready', catalog: 'ready', booking: 'ready' } });
    await app.inject({ url: '/api/v1/catalog/search?q=x' });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/api\/v1\/catalog\/\*"[^}]*\} 1/);
    await app.close();
  });

  it('stays ready itself when a service is down, and /status says which one', async () => {
    stack.catalog.on('GET /readyz', (_req, res) => sendJson(res, 503, { code: 'SERVICE_UNAVAILABLE' }));
    app = await buildApp(gatewayConfig({ ...stack.env, BOOKING_URL: await closedPortUrl() }), { logger: false });
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    const status = await app.inject({ url: '/status' });
    expect(status.statusCode).toBe(503);
    expect(status.headers['content-type']).toContain('application/problem+json');
    expect(status.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', services: { auth: 'ready', users: 'ready', catalog: 'not_ready', booking: 'unavailable' } });
  });
});
