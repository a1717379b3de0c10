import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOffering, newId, ROME_WEEKDAYS, startBookingTestEnv, type BookingTestEnv } from '../../test-support/harness.ts';
import type { Offering } from '@healthmatch/contracts';
import { bearer } from '@healthmatch/platform/testing';

describe('free slots on PostgreSQL', () => {
  let env: BookingTestEnv;
  let providerId: string;
  let short: Offering; // 30 minutes
  let long: Offering; // 60 minutes, same provider
  beforeAll(async () => {
    // Monday 2026-03-02, 06:00Z = 07:00 in Rome
    env = await startBookingTestEnv('booking_slots', { now: '2026-03-02T06:00:00Z' });
    providerId = newId();
    short = makeOffering({ providerId, durationMinutes: 30 });
    long = makeOffering({ providerId, durationMinutes: 60, price: { amount: 9000, currency: 'EUR' } });
    env.upstream.offerings.set(short.id, short);
    env.upstream.offerings.set(long.id, long);
    const put = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(await env.upstream.token(providerId, 'provider')), payload: ROME_WEEKDAYS });
    expect(put.statusCode).toBe(200);
  });
  afterAll(() => env.close());

  const slots = (offeringId: string, from: string, to: string) => env.app.inject({ method: 'GET', url: `/api/v1/booking/slots?offeringId=${offeringId}&from=${from}&to=${to}` });

  it('answers 400, not 500, for dates PostgreSQL cannot take (year 9999)', async () => {
    const res = await slots(short.id, '9999-12-30', '9999-12-30');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'query/from' }, { field: 'query/to' }] });
  });

  it('offers nothing beyond the provider\'s booking horizon (180 days by default)', async () => {
    // Today is 2026-03-02 in Rome: the last date is 2026-08-29, a Saturday; 2026-08-28 is a Friday.
    const edge = (await slots(short.id, '2026-08-27', '2026-09-04')).json().slots.map((s: { start: string }) => s.start.slice(0, 10));
    expect([...new Set(edge)]).toEqual(['2026-08-27', '2026-08-28']);
    expect((await slots(short.id, '2029-12-31', '2030-01-07')).json().slots).toEqual([]);
    expect((await slots(short.id, '2199-12-01', '2199-12-31')).json().slots).toEqual([]);
  });

  it('lists the grid of each interval in the provider zone, no token needed', async () => {
    const res = await slots(short.id, '2026-03-02', '2026-03-02');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.offeringId).toBe(short.id);
    expect(body.timeZone).toBe('Europe/Rome');
    // 09:00-12:00 and 14:00-17:00 CET = 08:00Z-11:00Z and 13:00Z-16:00Z: 6 + 6 half hours
    expect(body.slots).toHaveLength(12);
    expect(body.slots[0]).toEqual({ start: '2026-03-02T08:00:00Z', end: '2026-03-02T08:30:00Z' });
    expect(body.slots[11]).toEqual({ start: '2026-03-02T15:30:00Z', end: '2026-03-02T16:00:00Z' });
  });

  it('leaves out what is booked with another offering of the same provider, and keeps other providers apart', async () => {
    const patient = await env.upstream.token(newId(), 'patient');
    const booked = await env.app.inject({ method: 'POST', url: '/api/v1/booking/appointments', headers: bearer(patient), payload: { offeringId: long.id, start: '2026-03-03T09:00:00Z' } });
    expect(booked.statusCode).toBe(201);
    // another provider's appointment at the same time changes nothing here
    const otherProvider = newId();
    const other = makeOffering({ providerId: otherProvider, durationMinutes: 30 });
    env.upstream.offerings.set(other.id, other);
    await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(await env.upstream.token(otherProvider, 'provider')), payload: ROME_WEEKDAYS });
    expect((await env.app.inject({ method: 'POST', url: '/api/v1/booking/appointments', headers: bearer(patient), payload: { offeringId: other.id, start: '2026-03-03T10:00:00Z' } })).statusCode).toBe(201);

    const starts = (await slots(short.id, '2026-03-03', '2026-03-03')).json().slots.map((s: { start: string }) => s.start);
    expect(starts).not.toContain('2026-03-03T09:00:00Z');
    expect(starts).not.toContain('2026-03-03T09:30:00Z');
    expect(starts).toContain('2026-03-03T08:30:00Z');
    expect(starts).toContain('2026-03-03T10:00:00Z');
    expect(starts).toHaveLength(10);
    // the 60-minute grid of the same provider loses exactly the booked hour
    const longStarts = (await slots(long.id, '2026-03-03', '2026-03-03')).json().slots.map((s: { start: string }) => s.start);
    expect(longStarts).toEqual(['2026-03-03T08:00:00Z', '2026-03-03T10:00:00Z', '2026-03-03T13:00:00Z', '2026-03-03T14:00:00Z', '2026-03-03T15:00:00Z']);
  });

  it('drops past slots and slots inside the minimum notice', async () => {
    env.clock.set('2026-03-02T09:10:00Z'); // 10:10 in Rome, notice 60 minutes -> from 10:10Z
    try {
      const starts = (await slots(short.id, '2026-03-02', '2026-03-02')).json().slots.map((s: { start: string }) => s.start);
      expect(starts[0]).toBe('2026-03-02T10:30:00Z');
      expect(starts).toHaveLength(1 + 6);
      expect((await slots(short.id, '2026-02-23', '2026-02-27')).json().slots).toEqual([]);
    } finally {
      env.clock.set('2026-03-02T06:00:00Z');
    }
  });

  it('accepts exactly 62 days, to inclusive, and refuses 63', async () => {
    const ok = await slots(short.id, '2026-03-02', '2026-05-02');
    expect(ok.statusCode).toBe(200);
    const last = ok.json().slots.at(-1);
    expect(last.start.startsWith('2026-05-01')).toBe(true); // 2026-05-02 is a Saturday
    expect((await slots(short.id, '2026-03-02', '2026-05-03')).statusCode).toBe(400);
  });

  it('answers 404 BOOKING_NO_AVAILABILITY for a provider who has published none', async () => {
    const lonely = makeOffering({ providerId: newId() });
    env.upstream.offerings.set(lonely.id, lonely);
    const res = await slots(lonely.id, '2026-03-02', '2026-03-08');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('BOOKING_NO_AVAILABILITY');
  });
});
