// Offering routes, decided before the database is asked: authentication, roles, and
// validation of what the client sends (problem+json naming the field).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { newId, startRouteTestEnv, type RouteTestEnv } from '../../test-support/harness.ts';

let env: RouteTestEnv;
let providerToken: string;
beforeAll(async () => {
  env = await startRouteTestEnv();
  providerToken = await env.upstream.token(newId(), 'provider');
});
afterAll(async () => env.close());

const valid = () => ({ serviceId: newId(), price: { amount: 4500, currency: 'EUR' }, durationMinutes: 30, modality: 'in_person' });

async function post(body: unknown, headers: Record<string, string> = bearer(providerToken)) {
  return env.app.inject({ method: 'POST', url: '/api/v1/catalog/offerings', payload: body as object, headers });
}

function expectProblem(res: Awaited<ReturnType<typeof post>>, status: number, code: string) {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json<{ code: string; status: number; requestId: string; errors?: { field: string; message: string }[] }>();
  expect(body).toMatchObject({ code, status });
  expect(body.requestId).toBeTruthy();
  return body;
}

describe('POST /api/v1/catalog/offerings', () => {
  it('needs a token (401) and the provider role (403)', async () => {
    expectProblem(await post(valid(), {}), 401, 'UNAUTHENTICATED');
    expectProblem(await post(valid(), bearer('not-a-jwt')), 401, 'UNAUTHENTICATED');
    expectProblem(await post(valid(), bearer(await env.upstream.token(newId(), 'patient'))), 403, 'FORBIDDEN');
    expectProblem(await post(valid(), bearer(await env.upstream.token('not-a-uuid', 'provider'))), 403, 'FORBIDDEN');
  });

  it.each([
    ['a negative price', { price: { amount: -1, currency: 'EUR' } }, 'body/price/amount'],
    ['a lower-case currency', { price: { amount: 4500, currency: 'eur' } }, 'body/price/currency'],
    ['a price in decimals', { price: { amount: 45.5, currency: 'EUR' } }, 'body/price/amount'],
    ['an unknown modality', { modality: 'by_carrier_pigeon' }, 'body/modality'],
    ['a bad service id', { serviceId: 'not-a-uuid' }, 'body/serviceId'],
    ['a urn service id', { serviceId: `urn:uuid:${newId()}` }, 'body/serviceId'],
    ['a duration off the 5-minute grid', { durationMinutes: 31 }, 'body/durationMinutes'],
    ['a duration as a string', { durationMinutes: '30' }, 'body/durationMinutes'],
    ['a location without coordinates', { location: { address: 'Via Roma 1', city: 'Roma' } }, 'body/location/lat'],
    ['a latitude off the globe', { location: { address: 'Via Roma 1', city: 'Roma', lat: 91, lon: 12 } }, 'body/location/lat'],
    ['an unknown field', { providerId: newId() }, 'body/providerId'],
  ])('refuses %s (400 naming the field)', async (_name, change, field) => {
    const body = expectProblem(await post({ ...valid(), ...change }), 400, 'VALIDATION_FAILED');
    expect(body.errors?.map((e) => e.field)).toContain(field);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/catalog/offerings',
      payload: '{"serviceId":',
      headers: { ...bearer(providerToken), 'content-type': 'application/json' },
    });
    expectProblem(res, 400, 'MALFORMED_JSON');
  });

  it('never asks the users service about a request it refuses', async () => {
    expect(env.upstream.providerCalls).toEqual([]);
  });
});

describe('PATCH /api/v1/catalog/offerings/{id}', () => {
  const patch = (id: string, body: unknown, headers: Record<string, string> = bearer(providerToken)) =>
    env.app.inject({ method: 'PATCH', url: `/api/v1/catalog/offerings/${id}`, payload: body as object, headers });

  it('needs a provider token', async () => {
    expectProblem(await patch(newId(), { active: false }, {}), 401, 'UNAUTHENTICATED');
    expectProblem(await patch(newId(), { active: false }, bearer(await env.upstream.token(newId(), 'patient'))), 403, 'FORBIDDEN');
  });

  it('refuses a bad id, an empty patch and bad fields', async () => {
    expect(expectProblem(await patch('123', { active: false }), 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toContain('path/id');
    expectProblem(await patch(newId(), {}), 400, 'VALIDATION_FAILED');
    expect(expectProblem(await patch(newId(), { price: { amount: 100, currency: 'eur' } }), 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toContain(
      'body/price/currency',
    );
    expect(expectProblem(await patch(newId(), { active: 'no' }), 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toContain('body/active');
  });
});

describe('GET offerings', () => {
  it('refuses a bad id', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/catalog/offerings/not-a-uuid' });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toContain('path/id');
  });

  it('lists own offerings only for a provider, and only with mine=true', async () => {
    expectProblem(await env.app.inject({ method: 'GET', url: '/api/v1/catalog/offerings?mine=true' }), 401, 'UNAUTHENTICATED');
    const patient = bearer(await env.upstream.token(newId(), 'patient'));
    expectProblem(await env.app.inject({ method: 'GET', url: '/api/v1/catalog/offerings?mine=true', headers: patient }), 403, 'FORBIDDEN');
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/catalog/offerings', headers: bearer(providerToken) });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toContain('query/mine');
  });

  it('refuses a tampered cursor', async () => {
    const cursor = Buffer.from(JSON.stringify(['not-an-id'])).toString('base64url');
    const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/providers/${newId()}/offerings?cursor=${cursor}` });
    expect(expectProblem(res, 400, 'VALIDATION_FAILED').errors?.map((e) => e.field)).toEqual(['query/cursor']);
  });
});
