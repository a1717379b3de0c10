import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@healthmatch/platform';
import { sendJson } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { closedPortUrl, gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

const id = '0190b6c2-0000-7000-8000-000000000001';

/** A raw HTTP request: the path goes on the wire exactly as given (inject and fetch would normalise it). */
function rawRequest(base: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway proxy', () => {
  let stack: Stack;
  let app: App;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    app = await buildApp(gatewayConfig({ ...stack.env, BODY_LIMIT_BYTES: '4096' }), { logger: false });
    token = await stack.issuer.sign({ sub: id, role: 'patient' });
  });
  afterAll(async () => {
    await app.close();
    await stack.close();
  });

  const bearer = () => ({ authorization: `Bearer ${token}` });

  it('routes every prefix to its service with path and query unchanged', async () => {
    const cases: Array<[method: 'GET' | 'POST', url: string, service: string]> = [
      ['POST', '/api/v1/auth/login', 'auth'],
      ['GET', '/api/v1/users/me', 'users'],
      ['GET', `/api/v1/providers/${id}`, 'users'],
      ['GET', '/api/v1/catalog/search?q=cardiologia&near=41.9%2C12.5&limit=5', 'catalog'],
      ['POST', '/api/v1/catalog/offerings', 'catalog'],
      ['GET', `/api/v1/booking/slots?offeringId=${id}&from=2030-01-01&to=2030-01-07`, 'booking'],
      ['GET', '/.well-known/jwks.json', 'auth'],
    ];
    for (const [method, url, service] of cases) {
      const res = await app.inject({ method, url, headers: bearer(), ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, url).toBe(200);
      if (url === '/.well-known/jwks.json') {
        expect(res.json().keys[0].kid).toBe('test-key-1');
        continue;
      }
      expect(res.json(), url).toMatchObject({ service, method, url });
    }
  });

  it('forwards the body byte for byte with its content type', async () => {
    const payload = '{ "b":2,\n  "a" : 1 }';
    const res = await app.inject({ method: 'PUT', url: '/api/v1/users/me', headers: { ...bearer(), 'content-type': 'application/json' }, payload });
    expect(res.json().body).toBe(payload);
    const form = await app.inject({ method: 'POST', url: '/api/v1/catalog/offerings', headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' }, payload: 'a=1&b=%20' });
    expect(form.json().body).toBe('a=1&b=%20');
    expect(stack.catalog.requests.at(-1)?.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('passes the request id on, the client\'s if valid, its own otherwise', async () => {
    const kept = await app.inject({ url: '/api/v1/users/me', headers: { ...bearer(), 'x-request-id': 'trace-abc-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-abc-123');
    expect(stack.users.requests.at(-1)?.headers['x-request-id']).toBe('trace-abc-123');
    const fresh = await app.inject({ url: '/api/v1/users/me', headers: bearer() });
    const generated = fresh.headers['x-request-id'];
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.users.requests.at(-1)?.headers['x-request-id']).toBe(generated);
  });

  it('sets x-forwarded-for and -proto itself and ignores a client\'s claims when no proxy is trusted', async () => {
    await app.inject({ url: '/api/v1/users/me', remoteAddress: '198.51.100.20', headers: { ...bearer(), 'x-forwarded-for': '6.6.6.6', 'x-forwarded-proto': 'https' } });
    const seen = stack.users.requests.at(-1)?.headers;
    expect(seen?.['x-forwarded-for']).toBe('198.51.100.20');
    expect(seen?.['x-forwarded-proto']).toBe('http');
  });

  it('strips hop-by-hop headers in both directions', async () => {
    stack.users.on('GET /api/v1/users/hop', (_req, res) => {
      res.setHeader('connection', 'x-upstream-secret');
      res.setHeader('x-upstream-secret', 'leak');
      res.setHeader('keep-alive', 'timeout=5');
      res.setHeader('proxy-authenticate', 'Basic');
      res.setHeader('x-kept', 'yes');
      sendJson(res, 200, { ok: true });
    });
    const res = await app.inject({
      url: '/api/v1/users/hop',
      headers: { ...bearer(), connection: 'x-client-secret', 'x-client-secret': 'leak', 'keep-alive': '300', te: 'trailers', 'proxy-authorization': 'Basic x', 'x-kept': 'yes' },
    });
    expect(res.statusCode).toBe(200);
    const sent = stack.users.requests.at(-1)?.headers ?? {};
    expect(sent['x-client-secret']).toBeUndefined();
    expect(sent['proxy-authorization']).toBeUndefined();
    expect(sent.te).toBeUndefined();
    expect(sent['keep-alive']).toBeUndefined();
    expect(sent['x-kept']).toBe('yes');
    expect(sent.authorization).toBe(`Bearer ${token}`);
    expect(res.headers['x-upstream-secret']).toBeUndefined();
    expect(res.headers['keep-alive']).toBeUndefined();
    expect(res.headers['proxy-authenticate']).toBeUndefined();
    expect(res.headers['x-kept']).toBe('yes');
  });

  it('passes a service\'s problem answers through unchanged', async () => {
    const problem = { type: '/problems/booking-slot-taken', title: 'Slot already taken', status: 409, code: 'BOOKING_SLOT_TAKEN', requestId: 'r1' };
    stack.booking.on('POST /api/v1/booking/appointments', (_req, res) => {
      res.writeHead(409, { 'content-type': 'application/problem+json; charset=utf-8' }).end(JSON.stringify(problem));
    });
    stack.booking.on('GET /api/v1/booking/broken', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/problem+json; charset=utf-8' }).end(JSON.stringify({ ...problem, status: 500, code: 'INTERNAL' }));
    });
    const res = await app.inject({ method: 'POST', url: '/api/v1/booking/appointments', headers: bearer(), payload: { offeringId: id } });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toBe(JSON.stringify(problem));
    const broken = await app.inject({ url: '/api/v1/booking/broken', headers: bearer() });
    expect(broken.statusCode).toBe(500);
    expect(broken.json().code).toBe('INTERNAL');
  });

  it('turns a 5xx that is not a problem document (an HTML error page) into a 502 problem', async () => {
    stack.catalog.on('GET /api/v1/catalog/html', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>Internal Server Error</body></html>');
    });
    const res = await app.inject({ url: '/api/v1/catalog/html', headers: bearer() });
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).not.toContain('<html>');
    expect(res.json().code).toBe('BAD_GATEWAY');
  });

  it('answers 204 and HEAD without a body', async () => {
    stack.booking.on('DELETE /api/v1/booking/holds/x', (_req, res) => res.writeHead(204).end());
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/booking/holds/x', headers: bearer() });
    expect(del.statusCode).toBe(204);
    expect(del.body).toBe('');
    const head = await app.inject({ method: 'HEAD', url: `/api/v1/providers/${id}` });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
  });

  it('never routes /internal or unknown prefixes', async () => {
    const before = [stack.auth, stack.users, stack.catalog, stack.booking].map((s) => s.requests.length);
    for (const url of ['/internal/profiles/me', '/api/v1/authx/login', '/api/v2/auth/login', '/api/v1/unknown', '/']) {
      const res = await app.inject({ method: 'GET', url, headers: bearer() });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().code).toBe('NOT_FOUND');
    }
    // TRACE is not in light-my-request's method type, but it is a method Fastify knows and we never forward
    const trace = await app.inject({ method: 'TRACE' as 'GET', url: '/api/v1/users/me', headers: bearer() });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).not.toContain('TRACE');
    expect(trace.headers.allow).toContain('GET');
    expect([stack.auth, stack.users, stack.catalog, stack.booking].map((s) => s.requests.length)).toEqual(before);
  });

  it('refuses an oversize body at the edge with 413', async () => {
    const before = stack.catalog.requests.length;
    const res = await app.inject({ method: 'POST', url: '/api/v1/catalog/offerings', headers: { ...bearer(), 'content-type': 'application/json' }, payload: JSON.stringify({ x: 'y'.repeat(5000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(stack.catalog.requests.length).toBe(before);
  });

  describe('over a real socket', () => {
    let base: string;
    beforeAll(async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    });

    it.each([
      '/api/v1/catalog/../../internal/profiles/me',
      '/api/v1/catalog/..',
      '/api/v1/catalog/./search',
      '/api/v1/catalog/%2e%2e/%2e%2e/internal/profiles/me',
      '/api/v1/catalog/%2E%2e/x',
      '/api/v1/catalog/%252e%252e/%252e%252e/internal',
      '/api/v1/catalog//internal',
      '/api/v1/catalog/a%2finternal',
      '/api/v1/catalog/a%2Finternal',
      '/api/v1/catalog/..\\..\\internal',
      '/api/v1/catalog/a%5cb',
      '/api/v1/catalog/a%00b',
      '/api/v1/catalog/%zz',
      '/api/v1/catalog/%c0%ae%c0%ae/x',
    ])('refuses %s with 400, without forwarding', async (path) => {
      const before = stack.catalog.requests.length;
      const res = await rawRequest(base, path, { 'x-request-id': 'trav-1' });
      expect(res.status).toBe(400);
      expect(String(res.headers['content-type'])).toContain('application/problem+json');
      expect(JSON.parse(res.body)).toMatchObject({ code: 'BAD_REQUEST', requestId: 'trav-1' });
      expect(stack.catalog.requests.length).toBe(before);
    });

    it('forwards a clean path over the socket too', async () => {
      const res = await rawRequest(base, '/api/v1/catalog/search?q=x');
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ service: 'catalog', url: '/api/v1/catalog/search?q=x' });
    });
  });
});

describe('gateway proxy with services down or slow', () => {
  it('answers 502 problem+json when the service refuses connections', async () => {
    const app = await buildApp(gatewayConfig({ BOOKING_URL: await closedPortUrl() }), { logger: false });
    try {
      const res = await app.inject({ url: `/api/v1/booking/slots?offeringId=${id}&from=2030-01-01&to=2030-01-02`, headers: { 'x-request-id': 'down-1' } });
      expect(res.statusCode).toBe(502);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'BAD_GATEWAY', status: 502, requestId: 'down-1' });
      expect(res.body).not.toContain('127.0.0.1');
    } finally {
      await app.close();
    }
  });

  it('answers 504 problem+json when the service is too slow', async () => {
    const stack = await startStack();
    const pending: Array<() => void> = [];
    stack.catalog.on('GET /api/v1/catalog/search', (_req, res) => {
      pending.push(() => sendJson(res, 200, { late: true }));
    });
    const app = await buildApp(gatewayConfig({ ...stack.env, UPSTREAM_TIMEOUT_MS: '150' }), { logger: false });
    try {
      const res = await app.inject({ url: '/api/v1/catalog/search?q=x' });
      expect(res.statusCode).toBe(504);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'GATEWAY_TIMEOUT', status: 504 });
    } finally {
      pending.forEach((answer) => answer());
      await app.close();
      await stack.close();
    }
  });
});
