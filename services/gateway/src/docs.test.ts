import type { App } from '@healthmatch/platform';
import { sendJson } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { closedPortUrl, gatewayConfig, minimalOpenApi, startStack, type Stack } from './testing/fake-services.ts';

const problem = { type: 'object', title: 'Problem', properties: { code: { type: 'string' } } };
const ref = (name: string) => ({ description: 'x', content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });

describe('/docs', () => {
  let stack: Stack;
  let app: App;
  let catalogUp = false;

  beforeAll(async () => {
    stack = await startStack({
      users: minimalOpenApi(
        {
          '/api/v1/users/me': { get: { responses: { 200: ref('def-1'), 404: ref('def-0') } } },
          '/internal/profiles/me': { put: { responses: {} } },
          '/healthz': { get: { responses: {} } },
        },
        { 'def-0': problem, 'def-1': { type: 'object', title: 'PatientProfile' } },
      ),
      booking: minimalOpenApi(
        { '/api/v1/booking/appointments': { post: { security: [{ bearerAuth: [] }], responses: { 201: ref('def-1'), 409: ref('def-0') } } } },
        { 'def-0': problem, 'def-1': { type: 'object', title: 'Appointment' } },
      ),
    });
    // catalog is down at first, then comes back
    stack.catalog.on('GET /openapi.json', (_req, res) => {
      if (!catalogUp) return sendJson(res, 503, { code: 'SERVICE_UNAVAILABLE' });
      sendJson(res, 200, minimalOpenApi({ '/api/v1/catalog/search': { get: { responses: { 200: ref('def-0') } } } }, { 'def-0': { type: 'object', title: 'SearchPage' } }));
    });
    // auth does not even listen
    app = await buildApp(gatewayConfig({ ...stack.env, AUTH_URL: await closedPortUrl(), DOCS_CACHE_SECONDS: '60' }), { logger: false });
  });
  afterAll(async () => {
    await app.close();
    await stack.close();
  });

  type Doc = { openapi: string; info: { description: string }; paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> }>>; components: { schemas: Record<string, { title: string }> }; 'x-healthmatch-services': Record<string, string> };

  it('merges the public paths of the services that answer and says which parts are missing', async () => {
    const res = await app.inject({ url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/api/v1/booking/appointments', '/api/v1/users/me']);
    expect(doc['x-healthmatch-services']).toEqual({ auth: 'unavailable', users: 'ok', catalog: 'unavailable', booking: 'ok' });
    expect(doc.info.description).toMatch(/auth, catalog are missing/);
    // both services call their own schemas def-0/def-1: the clash is renamed, not overwritten
    expect(doc.components.schemas['def-1']?.title).toBe('PatientProfile');
    expect(doc.components.schemas['booking.def-1']?.title).toBe('Appointment');
    expect(doc.paths['/api/v1/booking/appointments']?.post?.responses['201']?.content['application/json']?.schema.$ref).toBe('#/components/schemas/booking.def-1');
  });

  it('tries a missing service again on the next request', async () => {
    catalogUp = true;
    const doc = (await app.inject({ url: '/docs/openapi.json' })).json() as Doc;
    expect(doc['x-healthmatch-services'].catalog).toBe('ok');
    expect(doc.paths['/api/v1/catalog/search']).toBeDefined();
    expect(doc.components.schemas['catalog.def-0']?.title).toBe('SearchPage');
    expect(doc.info.description).toMatch(/auth are missing/);
  });

  it('serves Swagger UI over the merged document', async () => {
    const page = await app.inject({ url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const fromUi = await app.inject({ url: '/docs/json' });
    expect(fromUi.statusCode).toBe(200);
    expect(Object.keys(fromUi.json().paths)).toContain('/api/v1/users/me');
    const init = await app.inject({ url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
  });
});
