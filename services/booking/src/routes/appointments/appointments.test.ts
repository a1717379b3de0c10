// Route tests without a database: auth, roles and validation of the appointment routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { makeOffering, newId, startRouteTestEnv, type RouteTestEnv } from '../../test-support/harness.ts';

const BASE = '/api/v1/booking/appointments';

describe('appointment routes (no database)', () => {
  let env: RouteTestEnv;
  let patient: string;
  let provider: string;
  let admin: string;
  beforeAll(async () => {
    env = await startRouteTestEnv();
    patient = await env.upstream.token(newId(), 'patient');
    provider = await env.upstream.token(newId(), 'provider');
    admin = await env.upstream.token(newId(), 'admin');
  });
  afterAll(() => env.close());

  const book = (payload: unknown, headers: Record<string, string> = bearer(patient)) =>
    env.app.inject({ method: 'POST', url: BASE, headers, payload: payload as object });

  it('needs a token on every appointment route', async () => {
    const id = newId();
    for (const [method, url] of [['POST', BASE], ['GET', BASE], ['GET', `${BASE}/${id}`], ['POST', `${BASE}/${id}/cancel`]] as const) {
      const res = await env.app.inject({ method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it('lets only patients book (provider and admin get 403), and admins nothing here', async () => {
    const payload = { offeringId: newId(), start: '2026-03-02T08:00:00Z' };
    expect((await book(payload, bearer(provider))).statusCode).toBe(403);
    expect((await book(payload, bearer(admin))).statusCode).toBe(403);
    expect((await env.app.inject({ method: 'GET', url: BASE, headers: bearer(admin) })).statusCode).toBe(403);
  });

  it('rejects wrong types, a bad uuid, a bad instant and unknown properties', async () => {
    const res = await book({ offeringId: 'abc', start: 'tomorrow at nine', note: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body/offeringId', 'body/start', 'body/note']));
    const types = await book({ offeringId: 12, start: true });
    expect(types.statusCode).toBe(400);
    const noOffset = await book({ offeringId: newId(), start: '2026-03-02T09:00:00' });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json().errors[0].field).toBe('body/start');
  });

  it('rejects a start or list dates outside 1900..2199 with a 400 naming the field, before the catalog or the database', async () => {
    const offering = makeOffering({ providerId: newId(), durationMinutes: 1440 });
    env.upstream.offerings.set(offering.id, offering);
    const asked = env.upstream.catalogRequestIds.length;
    for (const start of ['9999-12-31T23:30:00Z', '2199-12-31T23:30:00-01:00', '1899-12-31T23:00:00Z']) {
      const res = await book({ offeringId: offering.id, start });
      expect(res.statusCode, start).toBe(400);
      expect(res.json(), start).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ field: 'body/start', message: 'must be an instant between 1900-01-01T00:00:00Z and 2199-12-31T23:59:59Z' }],
      });
    }
    expect(env.upstream.catalogRequestIds).toHaveLength(asked);
    // The database is unreachable here: a 400 proves nothing was sent to it.
    for (const token of [patient, provider]) {
      const res = await env.app.inject({ method: 'GET', url: `${BASE}?to=9999-12-30`, headers: bearer(token) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'query/to', message: 'must be a date between 1900-01-01 and 2199-12-31' }] });
    }
    const both = await env.app.inject({ method: 'GET', url: `${BASE}?from=0001-01-01&to=2200-01-01`, headers: bearer(patient) });
    expect(both.json().errors.map((e: { field: string }) => e.field)).toEqual(['query/from', 'query/to']);
  });

  it('rejects malformed JSON, an empty JSON body and a non-JSON media type', async () => {
    const malformed = await env.app.inject({ method: 'POST', url: BASE, headers: { ...bearer(patient), 'content-type': 'application/json' }, payload: '{"offeringId":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_JSON');
    const empty = await env.app.inject({ method: 'POST', url: BASE, headers: { ...bearer(patient), 'content-type': 'application/json' }, payload: '' });
    expect(empty.statusCode).toBe(400);
    const text = await env.app.inject({ method: 'POST', url: BASE, headers: { ...bearer(patient), 'content-type': 'text/plain' }, payload: 'book it' });
    expect(text.statusCode).toBe(415);
  });

  it('rejects an Idempotency-Key with spaces or over 200 characters', async () => {
    const payload = { offeringId: newId(), start: '2026-03-02T08:00:00Z' };
    const spaced = await book(payload, { ...bearer(patient), 'idempotency-key': 'has space' });
    expect(spaced.statusCode).toBe(400);
    expect(spaced.json().errors[0].field).toBe('header/idempotency-key');
    expect((await book(payload, { ...bearer(patient), 'idempotency-key': 'k'.repeat(201) })).statusCode).toBe(400);
  });

  it('answers 422 when the offering is unknown or inactive', async () => {
    const unknown = await book({ offeringId: newId(), start: '2026-03-02T08:00:00Z' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().code).toBe('BOOKING_OFFERING_UNAVAILABLE');
    const inactive = makeOffering({ providerId: newId(), active: false });
    env.upstream.offerings.set(inactive.id, inactive);
    const res = await book({ offeringId: inactive.id, start: '2026-03-02T08:00:00Z' });
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('BOOKING_OFFERING_UNAVAILABLE');
  });

  it('rejects a bad id in the path, bad list filters and a forged cursor', async () => {
    const badId = await env.app.inject({ method: 'GET', url: `${BASE}/not-a-uuid`, headers: bearer(patient) });
    expect(badId.statusCode).toBe(400);
    expect(badId.json().errors[0].field).toBe('path/id');
    const badCancel = await env.app.inject({ method: 'POST', url: `${BASE}/123/cancel`, headers: bearer(patient), payload: {} });
    expect(badCancel.statusCode).toBe(400);
    const filters = await env.app.inject({ method: 'GET', url: `${BASE}?from=yesterday&status=done&limit=500`, headers: bearer(patient) });
    expect(filters.statusCode).toBe(400);
    expect(filters.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['query/from', 'query/status', 'query/limit']));
    const reversed = await env.app.inject({ method: 'GET', url: `${BASE}?from=2026-03-10&to=2026-03-01`, headers: bearer(provider) });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().code).toBe('BOOKING_INVALID_RANGE');
    const forged = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    const cursor = await env.app.inject({ method: 'GET', url: `${BASE}?cursor=${forged}`, headers: bearer(patient) });
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().errors[0].field).toBe('query/cursor');
  });

  it('rejects a cancellation reason that is not a string or too long', async () => {
    const url = `${BASE}/${newId()}/cancel`;
    expect((await env.app.inject({ method: 'POST', url, headers: bearer(patient), payload: { reason: 5 } })).statusCode).toBe(400);
    expect((await env.app.inject({ method: 'POST', url, headers: bearer(patient), payload: { reason: 'x'.repeat(501) } })).statusCode).toBe(400);
  });

  it('serves an OpenAPI document that covers every booking route', async () => {
    const doc = (await env.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/booking/availability', '/api/v1/booking/slots', BASE, `${BASE}/{id}`, `${BASE}/{id}/cancel`]),
    );
    expect(doc.paths[BASE].post.responses['409']).toBeDefined();
  });

  it('reports not ready while its database is unreachable', async () => {
    const res = await env.app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().checks).toEqual({ database: 'unavailable' });
  });
});
