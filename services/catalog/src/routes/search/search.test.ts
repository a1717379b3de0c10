// Search and catalogue routes, decided before the database is asked: validation of the
// query (problem+json naming the field), cursors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRouteTestEnv, type RouteTestEnv } from '../../test-support/harness.ts';

let env: RouteTestEnv;
beforeAll(async () => {
  env = await startRouteTestEnv();
});
afterAll(async () => env.close());

async function fieldsOf(url: string): Promise<string[]> {
  const res = await env.app.inject({ method: 'GET', url });
  expect(res.statusCode, res.body).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<{ code: string; detail: string; errors: { field: string }[] }>();
  expect(body.code).toBe('VALIDATION_FAILED');
  // The detail names the fields too.
  for (const e of body.errors) expect(body.detail).toContain(e.field.split('/').pop());
  return [...new Set(body.errors.map((e) => e.field))];
}

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const ID = '0190b6c2-0000-7000-8000-000000000001';

describe('GET /api/v1/catalog/search', () => {
  it.each([
    ['lat without lon', '?lat=41.9', ['query/lon']],
    ['lon without lat', '?lon=12.5', ['query/lat']],
    ['radiusKm alone', '?radiusKm=10', ['query/radiusKm']],
    ['a latitude that is not a number', '?lat=north&lon=12', ['query/lat']],
    ['a latitude off the globe', '?lat=95&lon=12', ['query/lat']],
    ['a radius of zero', '?lat=41.9&lon=12.5&radiusKm=0', ['query/radiusKm']],
    ['a radius too large', '?lat=41.9&lon=12.5&radiusKm=501', ['query/radiusKm']],
    ['a negative maxPrice', '?maxPrice=-1', ['query/maxPrice']],
    ['an unknown modality', '?modality=carrier_pigeon', ['query/modality']],
    ['an over-long q', `?q=${'a'.repeat(201)}`, ['query/q']],
    ['an empty q', '?q=', ['query/q']],
    ['a limit over 100', '?limit=101', ['query/limit']],
    ['an unknown parameter', '?sort=price', ['query/sort']],
    ['a city without letters', '?city=--', ['query/city']],
    ['a cursor that is not base64url', '?cursor=%25%25', ['query/cursor']],
    ['a cursor of another shape', `?cursor=${cursorOf({ a: 1 })}`, ['query/cursor']],
    ['a cursor with a bad id', `?cursor=${cursorOf(['p', 100, 'x'])}`, ['query/cursor']],
    ['a cursor with a bad key', `?cursor=${cursorOf(['p', 'cheap', ID])}`, ['query/cursor']],
    ['a distance cursor without lat/lon', `?cursor=${cursorOf(['d', 1.5, ID])}`, ['query/cursor']],
    ['a price cursor with lat/lon', `?lat=41.9&lon=12.5&cursor=${cursorOf(['p', 100, ID])}`, ['query/cursor']],
  ])('refuses %s', async (_name, query, fields) => {
    expect(await fieldsOf(`/api/v1/catalog/search${query}`)).toEqual(fields);
  });
});

describe('GET /api/v1/catalog/services', () => {
  it('refuses bad input', async () => {
    expect(await fieldsOf(`/api/v1/catalog/services?q=${'x'.repeat(201)}`)).toEqual(['query/q']);
    expect(await fieldsOf('/api/v1/catalog/services?specialty=no%20such')).toEqual(['query/specialty']);
    expect(await fieldsOf(`/api/v1/catalog/services?cursor=${cursorOf([2, '89.7A.3'])}`)).toEqual(['query/cursor']);
    expect(await fieldsOf(`/api/v1/catalog/services?cursor=${cursorOf([0, "x' or 1=1"])}`)).toEqual(['query/cursor']);
    expect(await fieldsOf('/api/v1/catalog/services/123')).toEqual(['path/id']);
  });
});

describe('GET /openapi.json', () => {
  it('documents every catalog route with its schemas', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>();
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/catalog/offerings',
      '/api/v1/catalog/offerings/{id}',
      '/api/v1/catalog/providers/{id}/offerings',
      '/api/v1/catalog/search',
      '/api/v1/catalog/services',
      '/api/v1/catalog/services/{id}',
      '/api/v1/catalog/specialties',
    ]);
    expect(Object.keys(doc.paths['/api/v1/catalog/offerings']?.post?.responses ?? {})).toEqual(expect.arrayContaining(['201', '400', '401', '403', '422', '502']));
  });
});
