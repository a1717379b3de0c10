// Route tests without a database: query validation and the catalog's answers are decided
// before the database is asked.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeOffering, newId, startRouteTestEnv, type RouteTestEnv } from '../../test-support/harness.ts';

describe('slot search (no database)', () => {
  let env: RouteTestEnv;
  beforeAll(async () => {
    env = await startRouteTestEnv();
  });
  afterAll(() => env.close());
  beforeEach(() => {
    env.upstream.catalogFailure = null;
  });

  const slots = (query: string, headers: Record<string, string> = {}) => env.app.inject({ method: 'GET', url: `/api/v1/booking/slots?${query}`, headers });

  it('rejects a bad offering id, malformed or impossible dates and unknown parameters', async () => {
    const bad = await slots('offeringId=123&from=2026-3-2&to=2026-02-30&x=1');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['query/offeringId', 'query/from', 'query/to', 'query/x']));
    const urn = await slots(`offeringId=urn:uuid:${newId()}&from=2026-03-02&to=2026-03-02`);
    expect(urn.statusCode).toBe(400);
    const missing = await slots('from=2026-03-02');
    expect(missing.statusCode).toBe(400);
  });

  it('rejects dates outside 1900-01-01..2199-12-31 with a 400 naming each field, before asking anyone', async () => {
    const message = 'must be a date between 1900-01-01 and 2199-12-31';
    const far = await slots(`offeringId=${newId()}&from=9999-12-30&to=9999-12-30`);
    expect(far.statusCode).toBe(400);
    expect(far.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'query/from', message }, { field: 'query/to', message }] });
    const edge = await slots(`offeringId=${newId()}&from=2199-12-31&to=2200-01-01`);
    expect(edge.json().errors).toEqual([{ field: 'query/to', message }]);
    const old = await slots(`offeringId=${newId()}&from=1899-12-31&to=1900-01-01`);
    expect(old.json().errors).toEqual([{ field: 'query/from', message }]);
    expect(env.upstream.catalogRequestIds).toHaveLength(0);
  });

  it('rejects from after to, and more than 62 days, with BOOKING_INVALID_RANGE', async () => {
    const id = newId();
    const reversed = await slots(`offeringId=${id}&from=2026-03-10&to=2026-03-09`);
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ code: 'BOOKING_INVALID_RANGE', errors: [{ field: 'query/to', message: 'must not be before from' }] });
    const long = await slots(`offeringId=${id}&from=2026-01-01&to=2026-03-04`);
    expect(long.statusCode).toBe(400);
    expect(long.json().code).toBe('BOOKING_INVALID_RANGE');
    expect(long.json().errors[0].field).toBe('query/to');
    expect(env.upstream.catalogRequestIds).toHaveLength(0); // refused before asking anyone
  });

  it('answers 404 for an offering the catalog does not know, passing the request id on', async () => {
    const res = await slots(`offeringId=${newId()}&from=2026-03-02&to=2026-03-08`, { 'x-request-id': 'req-slots-404' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'CATALOG_OFFERING_NOT_FOUND', requestId: 'req-slots-404' });
    expect(env.upstream.catalogRequestIds).toContain('req-slots-404');
  });

  it('answers 422 for an inactive offering', async () => {
    const offering = makeOffering({ providerId: newId(), active: false });
    env.upstream.offerings.set(offering.id, offering);
    const res = await slots(`offeringId=${offering.id}&from=2026-03-02&to=2026-03-08`);
    expect(res.statusCode).toBe(422);
    expect(res.json().code).toBe('BOOKING_OFFERING_UNAVAILABLE');
  });

  it('answers 502 when the catalog fails or breaks the contract, without internals', async () => {
    env.upstream.catalogFailure = 500;
    const down = await slots(`offeringId=${newId()}&from=2026-03-02&to=2026-03-08`);
    expect(down.statusCode).toBe(502);
    expect(down.json().code).toBe('BAD_GATEWAY');
    env.upstream.catalogFailure = null;
    const broken = { ...makeOffering({ providerId: newId() }), durationMinutes: 'thirty' };
    env.upstream.offerings.set(broken.id, broken);
    const res = await slots(`offeringId=${broken.id}&from=2026-03-02&to=2026-03-08`);
    expect(res.statusCode).toBe(502);
    expect(res.body).not.toContain('thirty');
    // an answer about another offering is not trusted either
    const asked = newId();
    env.upstream.offerings.set(asked, makeOffering({ providerId: newId() }));
    expect((await slots(`offeringId=${asked}&from=2026-03-02&to=2026-03-08`)).statusCode).toBe(502);
  });

  it('answers 503 with Retry-After when the catalog is unavailable, and never leaks its address', async () => {
    env.upstream.catalogFailure = 503;
    const res = await slots(`offeringId=${newId()}&from=2026-03-02&to=2026-03-08`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    env.upstream.catalogFailure = null;
    const closed = await env.upstream.close().then(() => slots(`offeringId=${newId()}&from=2026-03-02&to=2026-03-08`));
    expect(closed.statusCode).toBe(502);
    expect(closed.body).not.toContain('127.0.0.1');
    expect(closed.json()).not.toHaveProperty('cause');
  });
});
