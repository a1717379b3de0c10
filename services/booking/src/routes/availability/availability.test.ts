// Route tests without a database: auth, roles and validation are decided before it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { newId, ROME_WEEKDAYS, startRouteTestEnv, type RouteTestEnv } from '../../test-support/harness.ts';

const URL = '/api/v1/booking/availability';

describe('availability routes (no database)', () => {
  let env: RouteTestEnv;
  let provider: string;
  let patient: string;
  beforeAll(async () => {
    env = await startRouteTestEnv();
    provider = await env.upstream.token(newId(), 'provider');
    patient = await env.upstream.token(newId(), 'patient');
  });
  afterAll(() => env.close());

  const put = (payload: unknown, token = provider) => env.app.inject({ method: 'PUT', url: URL, headers: bearer(token), payload: payload as object });

  it('needs a token (401 problem with WWW-Authenticate)', async () => {
    const res = await env.app.inject({ method: 'PUT', url: URL, payload: ROME_WEEKDAYS });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.json().code).toBe('UNAUTHENTICATED');
    expect((await env.app.inject({ method: 'GET', url: URL, headers: { authorization: 'Bearer not.a.token' } })).statusCode).toBe(401);
  });

  it('is for providers only: a patient gets 403', async () => {
    const res = await put(ROME_WEEKDAYS, patient);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('FORBIDDEN');
    expect((await env.app.inject({ method: 'GET', url: URL, headers: bearer(patient) })).statusCode).toBe(403);
  });

  it('rejects an unknown time zone with a 400 naming the field', async () => {
    const res = await put({ ...ROME_WEEKDAYS, timeZone: 'Mars/Olympus_Mons' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'BOOKING_INVALID_AVAILABILITY', errors: [{ field: 'body/timeZone' }] });
  });

  it('rejects overlapping, reversed and malformed intervals, naming each field', async () => {
    const res = await put({
      timeZone: 'Europe/Rome',
      weekly: [
        { day: 'mon', start: '09:00', end: '12:00' },
        { day: 'mon', start: '11:00', end: '13:00' },
        { day: 'tue', start: '15:00', end: '14:00' },
      ],
      exceptions: [
        { date: '2026-03-10', closed: true },
        { date: '2026-03-10', intervals: [{ start: '10:00', end: '11:00' }] },
      ],
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.code).toBe('BOOKING_INVALID_AVAILABILITY');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { field: 'body/weekly/2/end', message: 'must be after start' },
        { field: 'body/weekly', message: 'intervals overlap (mon)' },
        { field: 'body/exceptions/1/date', message: 'date already has an exception' },
      ]),
    );
  });

  it('rejects wrong types, unknown properties, bad wall times and impossible dates by schema', async () => {
    const res = await put({
      timeZone: 42,
      weekly: [{ day: 'monday', start: '9:00', end: '25:00' }],
      exceptions: [{ date: '2026-02-30' }],
      minNoticeMinutes: '60',
      extra: true,
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body/timeZone', 'body/weekly/0/day', 'body/weekly/0/start', 'body/weekly/0/end', 'body/exceptions/0/date', 'body/minNoticeMinutes', 'body/extra']),
    );
  });

  it('rejects exception dates outside 1900-01-01..2199-12-31 with a 400 naming each one', async () => {
    const res = await put({ ...ROME_WEEKDAYS, exceptions: [{ date: '2026-03-10', closed: true }, { date: '9999-12-30', closed: true }, { date: '1899-12-31', closed: true }] });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [
        { field: 'body/exceptions/1/date', message: 'must be a date between 1900-01-01 and 2199-12-31' },
        { field: 'body/exceptions/2/date', message: 'must be a date between 1900-01-01 and 2199-12-31' },
      ],
    });
  });

  it('rejects a booking horizon that is not a whole number of days 1..730, or shorter than the notice', async () => {
    for (const maxAdvanceDays of [0, 731, 1.5, '30']) {
      const res = await put({ ...ROME_WEEKDAYS, maxAdvanceDays });
      expect(res.statusCode, String(maxAdvanceDays)).toBe(400);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toEqual(['body/maxAdvanceDays']);
    }
    const short = await put({ ...ROME_WEEKDAYS, minNoticeMinutes: 3 * 1440, maxAdvanceDays: 2 });
    expect(short.statusCode).toBe(400);
    expect(short.json()).toMatchObject({ code: 'BOOKING_INVALID_AVAILABILITY', errors: [{ field: 'body/maxAdvanceDays', message: 'must leave bookable time after the minimum notice of 4320 minutes' }] });
  });

  it('answers malformed JSON with 400 and a non-JSON media type with 415, both problem+json', async () => {
    const malformed = await env.app.inject({ method: 'PUT', url: URL, headers: { ...bearer(provider), 'content-type': 'application/json' }, payload: '{"timeZone":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().code).toBe('MALFORMED_JSON');
    const text = await env.app.inject({ method: 'PUT', url: URL, headers: { ...bearer(provider), 'content-type': 'text/plain' }, payload: 'hello' });
    expect(text.statusCode).toBe(415);
    expect(text.headers['content-type']).toContain('application/problem+json');
  });
});
