import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { newId, ROME_WEEKDAYS, startBookingTestEnv, type BookingTestEnv } from '../../test-support/harness.ts';

const URL = '/api/v1/booking/availability';

describe('availability on PostgreSQL', () => {
  let env: BookingTestEnv;
  beforeAll(async () => {
    env = await startBookingTestEnv('booking_avail');
  });
  afterAll(() => env.close());

  it('answers 404 BOOKING_NO_AVAILABILITY before anything is published', async () => {
    const res = await env.app.inject({ method: 'GET', url: URL, headers: bearer(await env.upstream.token(newId(), 'provider')) });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('BOOKING_NO_AVAILABILITY');
  });

  it('stores, returns and replaces a provider\'s availability as a whole', async () => {
    const providerId = newId();
    const token = await env.upstream.token(providerId, 'provider');
    env.clock.set('2026-03-01T10:00:00Z');
    const put = await env.app.inject({
      method: 'PUT',
      url: URL,
      headers: bearer(token),
      payload: { ...ROME_WEEKDAYS, exceptions: [{ date: '2026-03-09', closed: true }, { date: '2026-03-10', intervals: [{ start: '10:00', end: '11:30' }] }] },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ providerId, timeZone: 'Europe/Rome', minNoticeMinutes: 60, maxAdvanceDays: 180, updatedAt: '2026-03-01T10:00:00.000Z' });
    expect(put.json().weekly).toHaveLength(10);
    expect(put.json().exceptions).toEqual([{ date: '2026-03-09', closed: true }, { date: '2026-03-10', intervals: [{ start: '10:00', end: '11:30' }] }]);

    const got = await env.app.inject({ method: 'GET', url: URL, headers: bearer(token) });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(put.json());

    env.clock.set('2026-03-01T11:00:00Z');
    const replaced = await env.app.inject({ method: 'PUT', url: URL, headers: bearer(token), payload: { timeZone: 'america/new_york', weekly: [{ day: 'sat', start: '08:00', end: '24:00' }] } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toEqual({
      providerId,
      timeZone: 'America/New_York', // the tz database's spelling
      weekly: [{ day: 'sat', start: '08:00', end: '24:00' }],
      exceptions: [],
      minNoticeMinutes: 120, // the default
      maxAdvanceDays: 180, // the default
      updatedAt: '2026-03-01T11:00:00.000Z',
    });
    // each provider sees only their own
    const other = await env.app.inject({ method: 'GET', url: URL, headers: bearer(await env.upstream.token(newId(), 'provider')) });
    expect(other.statusCode).toBe(404);
  });

  it('stores the booking horizon a provider sets', async () => {
    const token = await env.upstream.token(newId(), 'provider');
    const put = await env.app.inject({ method: 'PUT', url: URL, headers: bearer(token), payload: { ...ROME_WEEKDAYS, maxAdvanceDays: 30 } });
    expect(put.statusCode).toBe(200);
    expect(put.json().maxAdvanceDays).toBe(30);
    expect((await env.app.inject({ method: 'GET', url: URL, headers: bearer(token) })).json().maxAdvanceDays).toBe(30);
  });

  it('keeps the stored availability when a replacement is invalid', async () => {
    const token = await env.upstream.token(newId(), 'provider');
    expect((await env.app.inject({ method: 'PUT', url: URL, headers: bearer(token), payload: ROME_WEEKDAYS })).statusCode).toBe(200);
    const bad = await env.app.inject({ method: 'PUT', url: URL, headers: bearer(token), payload: { ...ROME_WEEKDAYS, timeZone: 'Europe/Atlantis' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([{ field: 'body/timeZone', message: 'must be an IANA time zone, e.g. Europe/Rome' }]);
    const got = await env.app.inject({ method: 'GET', url: URL, headers: bearer(token) });
    expect(got.json().timeZone).toBe('Europe/Rome');
  });
});
