// Double booking under real concurrency: many patients race for one slot, through one app
// instance and through two instances with separate pools on the same database. Only the
// database constraint can make these deterministic: exactly one wins.
import type { Offering } from '@healthmatch/contracts';
import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { makeOffering, newId, openDatabase, ROME_WEEKDAYS, startBookingTestEnv, type BookingTestEnv } from '../../test-support/harness.ts';

const BASE = '/api/v1/booking/appointments';

describe('concurrent booking of one slot', () => {
  let env: BookingTestEnv;
  let providerId: string;
  let short: Offering;
  let long: Offering;
  let patients: string[];
  beforeAll(async () => {
    env = await startBookingTestEnv('booking_race', { now: '2026-03-02T06:00:00Z' });
    providerId = newId();
    short = makeOffering({ providerId, durationMinutes: 30 });
    long = makeOffering({ providerId, durationMinutes: 60 });
    env.upstream.offerings.set(short.id, short);
    env.upstream.offerings.set(long.id, long);
    const put = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(await env.upstream.token(providerId, 'provider')), payload: ROME_WEEKDAYS });
    expect(put.statusCode).toBe(200);
    patients = await Promise.all(Array.from({ length: 50 }, () => env.upstream.token(newId(), 'patient')));
  });
  afterAll(() => env.close());

  async function race(apps: App[], start: string, offeringFor: (i: number) => Offering = () => short) {
    const results = await Promise.all(
      patients.map((token, i) => apps[i % apps.length]!.inject({ method: 'POST', url: BASE, headers: bearer(token), payload: { offeringId: offeringFor(i).id, start } })),
    );
    return {
      statuses: results.map((r) => r.statusCode),
      codes: results.filter((r) => r.statusCode !== 201).map((r) => r.json().code),
      winner: results.find((r) => r.statusCode === 201)?.json(),
    };
  }

  async function rowsAt(start: string) {
    const db = openDatabase(env.testDb.url);
    try {
      const { rows } = await db.pool.query("select count(*)::int as n from appointments where provider_id = $1 and start_at = $2 and status = 'booked'", [providerId, start]);
      return rows[0].n as number;
    } finally {
      await db.close();
    }
  }

  it('50 patients, one app: exactly one 201 and 49 × 409 BOOKING_SLOT_TAKEN', async () => {
    const { statuses, codes, winner } = await race([env.app], '2026-03-03T08:00:00Z');
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(new Set(codes)).toEqual(new Set(['BOOKING_SLOT_TAKEN']));
    expect(winner.start).toBe('2026-03-03T08:00:00Z');
    expect(await rowsAt('2026-03-03T08:00:00Z')).toBe(1);
  });

  it('50 patients, two app instances with separate pools on one database: still exactly one', async () => {
    const second = await env.secondApp();
    const { statuses, codes } = await race([env.app, second], '2026-03-03T09:00:00Z');
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(new Set(codes)).toEqual(new Set(['BOOKING_SLOT_TAKEN']));
    expect(await rowsAt('2026-03-03T09:00:00Z')).toBe(1);
  });

  it('offerings of different lengths racing for overlapping time: one wins', async () => {
    const second = await env.secondApp();
    // 30- and 60-minute offerings both starting at 13:00Z on Wednesday
    const { statuses } = await race([env.app, second], '2026-03-04T13:00:00Z', (i) => (i % 3 === 0 ? long : short));
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
  });
});
