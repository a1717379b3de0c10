import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { createService } from './service.ts';

async function demoApp() {
  const app = await createService({ name: 'demo', logger: false, errorCodes: { DEMO_TAKEN: { status: 409, title: 'Taken' } } });
  app.post(
    '/things',
    {
      schema: {
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 5 }), count: Type.Integer({ minimum: 0 }), kind: Type.Union([Type.Literal('a'), Type.Literal('b')]) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ name: Type.String() }) },
      },
    },
    async (req, reply) => reply.code(201).send({ name: req.body.name, secret: 'x' } as { name: string }),
  );
  app.get('/things', { schema: { querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 100 }) }) } }, async (req) => ({ limit: req.query.limit }));
  app.get('/taken', async () => {
    throw new AppError('DEMO_TAKEN', 'already');
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  return app;
}

describe('createService', () => {
  it('keeps a valid incoming request id and generates one otherwise', async () => {
    const app = await demoApp();
    const kept = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const fresh = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\r\nx' } });
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists every bad field of a body as problem+json', async () => {
    const app = await demoApp();
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: '', count: '3', kind: 'z', extra: 1 } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const body = res.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    const fields = body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body/name', 'body/count', 'body/kind', 'body/extra']));
    expect(body.requestId).toBe(res.headers['x-request-id']);
  });

  it('coerces query strings but rejects out-of-range values', async () => {
    const app = await demoApp();
    expect((await app.inject({ url: '/things?limit=5' })).json()).toEqual({ limit: 5 });
    const bad = await app.inject({ url: '/things?limit=500' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('query/limit');
  });

  it('accepts only plain decimal numbers in query strings', async () => {
    const app = await demoApp();
    expect((await app.inject({ url: '/things?limit=16' })).json()).toEqual({ limit: 16 });
    for (const raw of ['0x10', '1e1', '%2010', '10%20', '0b11', '1.0', '', 'ten']) {
      const res = await app.inject({ url: `/things?limit=${raw}` });
      expect(res.statusCode, raw).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field), raw).toEqual(['query/limit']);
    }
  });

  it('answers malformed JSON, wrong media type and oversize bodies with 4xx problems', async () => {
    const app = await demoApp();
    const malformed = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_JSON');
    const text = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'text/plain' }, payload: 'hi' });
    expect(text.statusCode).toBe(415);
    expect(text.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await app.inject({ method: 'POST', url: '/things', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ name: 'x'.repeat(300 * 1024) }) });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('maps domain error codes through the table and hides internals of 5xx', async () => {
    const app = await demoApp();
    const taken = await app.inject({ url: '/taken' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'DEMO_TAKEN', title: 'Taken', detail: 'already', type: '/problems/demo-taken' });
    const boom = await app.inject({ url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('secret internals');
    expect(boom.json().code).toBe('INTERNAL');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const app = await demoApp();
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('NOT_FOUND');
  });

  it('answers a known path asked with the wrong method with 405 and Allow', async () => {
    const app = await demoApp();
    app.delete('/things/:id', async () => ({ ok: true }));
    const put = await app.inject({ method: 'PUT', url: '/things?limit=1' });
    expect(put.statusCode).toBe(405);
    expect(put.headers['content-type']).toContain('application/problem+json');
    expect(put.headers.allow).toBe('GET, HEAD, POST');
    expect(put.json()).toMatchObject({ code: 'METHOD_NOT_ALLOWED', status: 405, instance: '/things' });
    const get = await app.inject({ method: 'GET', url: '/things/0191a0b2-0000-7000-8000-000000000000/' });
    expect(get.statusCode).toBe(405);
    expect(get.headers.allow).toBe('DELETE');
    // A path no route has stays a 404, whatever the method.
    expect((await app.inject({ method: 'POST', url: '/things/a/b' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: '/nope' })).statusCode).toBe(404);
  });

  it('answers a malformed %-escape in a path with a 400 problem, not the router\'s own JSON', async () => {
    const app = await createService({ name: 'demo', logger: false });
    app.get('/files/*', async () => ({ ok: true }));
    const res = await app.inject({ url: '/files/%zz', headers: { 'x-request-id': 'bad-url-1' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['x-request-id']).toBe('bad-url-1');
    expect(res.json()).toMatchObject({ code: 'BAD_REQUEST', requestId: 'bad-url-1' });
  });

  it('drops fields the response schema does not declare', async () => {
    const app = await demoApp();
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'ok', count: 1, kind: 'a' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'ok' });
  });

  it('exposes request metrics by route template and a readiness answer', async () => {
    const app = await createService({ name: 'demo', logger: false, readiness: [{ name: 'db', check: async () => { throw new Error('down'); } }] });
    app.get('/items/:id', async () => ({ ok: true }));
    await app.inject({ url: '/items/42' });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toMatch(/http_requests_total\{[^}]*route="\/items\/:id"[^}]*\} 1/);
    expect(metrics.body).toContain('process_cpu_seconds_total');
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks).toEqual({ db: 'unavailable' });
  });

  it('names shared schemas in the OpenAPI components by their $id', async () => {
    const app = await createService({ name: 'demo', logger: false });
    app.addSchema(Type.Object({ code: Type.String() }, { $id: 'DemoProblem' }));
    app.get('/x', { schema: { response: { 200: Type.Object({ ok: Type.Boolean() }), 404: Type.Unsafe({ $ref: 'DemoProblem#' }) } } }, async () => ({ ok: true }));
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.components.schemas)).toContain('DemoProblem');
    expect(JSON.stringify(doc.paths['/x'].get.responses['404'])).toContain('#/components/schemas/DemoProblem');
  });

  it('keeps the extras of a 5xx AppError out of the answer, except its headers', async () => {
    const app = await createService({ name: 'demo', logger: false });
    app.get('/upstream', async () => {
      throw new AppError('BAD_GATEWAY', 'users is unavailable', { cause: 'connect ECONNREFUSED 10.0.0.7:8082', headers: { 'retry-after': '5' } });
    });
    const res = await app.inject({ url: '/upstream' });
    expect(res.statusCode).toBe(502);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body).not.toContain('10.0.0.7');
    expect(res.json()).not.toHaveProperty('cause');
  });
});

describe('answers at the HTTP layer', () => {
  /** Sends raw bytes on a real socket and collects what the server answers until it closes. */
  async function raw(port: number, data: string): Promise<string> {
    const net = await import('node:net');
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(data));
      let out = '';
      socket.on('data', (d) => (out += d.toString('utf8')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
  }

  async function listening(requestTimeoutMs?: number) {
    const app = await createService({ name: 'demo', logger: false, requestTimeoutMs });
    app.post('/things', async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    return { app, port: typeof address === 'object' && address ? address.port : 0 };
  }

  it('answers headers that are too large with a 431 problem', async () => {
    const { app, port } = await listening();
    try {
      const res = await raw(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(res).toMatch(/^HTTP\/1\.1 431 /);
      expect(res).toContain('application/problem+json');
      expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    } finally {
      await app.close();
    }
  });

  it('answers a malformed request line with a 400 problem', async () => {
    const { app, port } = await listening();
    try {
      const res = await raw(port, 'GET /a b c HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(res).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    } finally {
      await app.close();
    }
  });

  it('answers a body that never arrives completely with a 408 problem and closes', async () => {
    const { app, port } = await listening(400);
    try {
      const res = await raw(port, 'POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":1');
      expect(res).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(res.slice(res.indexOf('\r\n\r\n') + 4))).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    } finally {
      await app.close();
    }
  });
});

describe('database pool exhaustion', () => {
  it('answers 503 with Retry-After, not 500, when no connection could be had in time', async () => {
    const pg = await import('pg');
    // A pool of one whose only connection is held: the next request waits, then gives up.
    const pool = new pg.default.Pool({ connectionString: process.env.HM_TEST_PG_ADMIN_URL, max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    const app = await createService({ name: 'demo', logger: false });
    app.get('/busy', async () => (await pool.query('select 1 as one')).rows);
    try {
      const res = await app.inject({ url: '/busy' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json().code).toBe('SERVICE_UNAVAILABLE');
    } finally {
      held.release();
      await pool.end();
    }
  });
});
