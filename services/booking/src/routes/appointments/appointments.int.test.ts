import type { Offering } from '@healthmatch/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { makeOffering, newId, ROME_WEEKDAYS, startBookingTestEnv, type BookingTestEnv } from '../../test-support/harness.ts';

const BASE = '/api/v1/booking/appointments';

describe('appointments on PostgreSQL', () => {
  let env: BookingTestEnv;
  let providerId: string;
  let providerToken: string;
  let patientId: string;
  let patientToken: string;
  let offering: Offering; // 30 minutes

  const book = (payload: object, token = patientToken, headers: Record<string, string> = {}) =>
    env.app.inject({ method: 'POST', url: BASE, headers: { ...bearer(token), ...headers }, payload });
  const get = (id: string, token: string) => env.app.inject({ method: 'GET', url: `${BASE}/${id}`, headers: bearer(token) });
  const cancel = (id: string, token: string, payload?: object) => env.app.inject({ method: 'POST', url: `${BASE}/${id}/cancel`, headers: bearer(token), ...(payload ? { payload } : {}) });
  const list = (query: string, token: string) => env.app.inject({ method: 'GET', url: `${BASE}?${query}`, headers: bearer(token) });

  beforeAll(async () => {
    env = await startBookingTestEnv('booking_appts', { now: '2026-03-02T06:00:00Z' });
    providerId = newId();
    providerToken = await env.upstream.token(providerId, 'provider');
    patientId = newId();
    patientToken = await env.upstream.token(patientId, 'patient');
    offering = makeOffering({ providerId, durationMinutes: 30, modality: 'telehealth', price: { amount: 6000, currency: 'EUR' } });
    env.upstream.offerings.set(offering.id, offering);
    expect((await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(providerToken), payload: ROME_WEEKDAYS })).statusCode).toBe(200);
  });
  afterAll(() => env.close());

  describe('booking', () => {
    it('books a free slot: 201 with the offering copied into the appointment', async () => {
      const res = await book({ offeringId: offering.id, start: '2026-03-02T09:00:00+01:00' }, patientToken, { 'x-request-id': 'req-book-1' });
      expect(res.statusCode).toBe(201);
      const a = res.json();
      expect(a).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), // UUID v7
        status: 'booked',
        start: '2026-03-02T08:00:00Z',
        end: '2026-03-02T08:30:00Z',
        timeZone: 'Europe/Rome',
        offeringId: offering.id,
        serviceId: offering.service.id,
        serviceName: offering.service.name,
        providerId,
        patientId,
        price: { amount: 6000, currency: 'EUR' },
        durationMinutes: 30,
        modality: 'telehealth',
        createdAt: '2026-03-02T06:00:00.000Z',
        cancelledAt: null,
        cancelledBy: null,
        cancelReason: null,
      });
      expect(res.headers.location).toBe(`${BASE}/${a.id}`);
      expect(env.upstream.catalogRequestIds).toContain('req-book-1');
      // later changes of the offering never rewrite the booked visit
      env.upstream.offerings.set(offering.id, { ...offering, price: { amount: 9999, currency: 'EUR' }, service: { ...offering.service, name: 'Renamed' } });
      try {
        expect((await get(a.id, patientToken)).json()).toMatchObject({ price: { amount: 6000, currency: 'EUR' }, serviceName: offering.service.name });
      } finally {
        env.upstream.offerings.set(offering.id, offering);
      }
      // the same slot again: taken
      const again = await book({ offeringId: offering.id, start: '2026-03-02T08:00:00Z' }, await env.upstream.token(newId(), 'patient'));
      expect(again.statusCode).toBe(409);
      expect(again.json().code).toBe('BOOKING_SLOT_TAKEN');
    });

    it('refuses a start that is not a free slot with 422 and the reason', async () => {
      const cases: Array<[string, string]> = [
        ['2026-03-02T08:10:00Z', 'OFF_GRID'],
        ['2026-03-02T08:00:30Z', 'OFF_GRID'],
        ['2026-03-02T11:00:00Z', 'OUTSIDE_AVAILABILITY'], // 12:00 in Rome: lunch break
        ['2026-03-07T09:00:00Z', 'OUTSIDE_AVAILABILITY'], // Saturday
        ['2026-03-02T05:00:00Z', 'OUTSIDE_AVAILABILITY'],
      ];
      for (const [start, reason] of cases) {
        const res = await book({ offeringId: offering.id, start });
        expect(res.statusCode, start).toBe(422);
        expect(res.json(), start).toMatchObject({ code: 'BOOKING_SLOT_UNAVAILABLE', reason });
      }
    });

    it('refuses the past and starts inside the minimum notice', async () => {
      env.clock.set('2026-03-03T08:20:00Z'); // Tuesday 09:20 in Rome, notice 60 minutes
      try {
        const past = await book({ offeringId: offering.id, start: '2026-03-03T08:00:00Z' });
        expect(past.statusCode).toBe(422);
        expect(past.json()).toMatchObject({ code: 'BOOKING_SLOT_UNAVAILABLE', reason: 'IN_PAST' });
        const soon = await book({ offeringId: offering.id, start: '2026-03-03T09:00:00Z' });
        expect(soon.statusCode).toBe(422);
        expect(soon.json()).toMatchObject({ reason: 'TOO_SOON' });
        expect((await book({ offeringId: offering.id, start: '2026-03-03T09:30:00Z' })).statusCode).toBe(201);
      } finally {
        env.clock.set('2026-03-02T06:00:00Z');
      }
    });

    it('refuses a start beyond the booking horizon (default 180 days) with 422 TOO_FAR; a longer horizon takes it', async () => {
      const farProvider = newId();
      const farToken = await env.upstream.token(farProvider, 'provider');
      const far = makeOffering({ providerId: farProvider, durationMinutes: 30 });
      env.upstream.offerings.set(far.id, far);
      const put = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(farToken), payload: ROME_WEEKDAYS });
      expect(put.json().maxAdvanceDays).toBe(180);
      const patient = await env.upstream.token(newId(), 'patient');
      // Today is 2026-03-02 in Rome: the last bookable date is 2026-08-29 (a Saturday).
      expect((await book({ offeringId: far.id, start: '2026-08-28T07:00:00Z' }, patient)).statusCode).toBe(201); // Friday 09:00
      for (const start of ['2026-08-31T07:00:00Z', '2030-01-07T08:00:00Z']) {
        const res = await book({ offeringId: far.id, start }, patient);
        expect(res.statusCode, start).toBe(422);
        expect(res.json(), start).toMatchObject({
          code: 'BOOKING_SLOT_UNAVAILABLE',
          reason: 'TOO_FAR',
          detail: 'That time is too far ahead: the provider takes bookings at most 180 days ahead',
        });
      }
      const longer = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(farToken), payload: { ...ROME_WEEKDAYS, maxAdvanceDays: 730 } });
      expect(longer.json().maxAdvanceDays).toBe(730);
      expect((await book({ offeringId: far.id, start: '2026-08-31T07:00:00Z' }, patient)).statusCode).toBe(201);
      expect((await book({ offeringId: far.id, start: '2030-01-07T08:00:00Z' }, patient)).json()).toMatchObject({ reason: 'TOO_FAR' });
    });

    it('answers 400, not 500, for instants and dates PostgreSQL cannot take (year 9999)', async () => {
      const allDay = newId();
      const allDayToken = await env.upstream.token(allDay, 'provider');
      const day = makeOffering({ providerId: allDay, durationMinutes: 1440 });
      env.upstream.offerings.set(day.id, day);
      const week = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => ({ day: d, start: '00:00', end: '24:00' }));
      const put = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(allDayToken), payload: { timeZone: 'UTC', weekly: week, maxAdvanceDays: 730 } });
      expect(put.statusCode).toBe(200);
      const res = await book({ offeringId: day.id, start: '9999-12-31T23:30:00Z' });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body/start' }] });
      for (const token of [patientToken, allDayToken]) {
        const listed = await list('to=9999-12-30', token);
        expect(listed.statusCode).toBe(400);
        expect(listed.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'query/to', message: 'must be a date between 1900-01-01 and 2199-12-31' }] });
      }
      // The last date of the calendar is fine, and far beyond any horizon.
      expect((await list('from=2199-12-31&to=2199-12-31', patientToken)).json()).toEqual({ items: [], nextCursor: null });
      expect((await book({ offeringId: day.id, start: '2199-12-31T00:00:00Z' })).json()).toMatchObject({ reason: 'TOO_FAR' });
    });

    it('refuses a provider without availability and a catalog that is down', async () => {
      const lonely = makeOffering({ providerId: newId() });
      env.upstream.offerings.set(lonely.id, lonely);
      const res = await book({ offeringId: lonely.id, start: '2026-03-02T08:00:00Z' });
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('BOOKING_SLOT_UNAVAILABLE');
      env.upstream.catalogFailure = 503;
      try {
        const down = await book({ offeringId: offering.id, start: '2026-03-04T08:00:00Z' });
        expect(down.statusCode).toBe(503);
        expect(down.json().code).toBe('SERVICE_UNAVAILABLE');
        expect(down.headers['retry-after']).toBe('5');
        env.upstream.catalogFailure = 500;
        const broken = await book({ offeringId: offering.id, start: '2026-03-04T08:00:00Z' });
        expect(broken.statusCode).toBe(502);
        expect(broken.json().code).toBe('BAD_GATEWAY');
      } finally {
        env.upstream.catalogFailure = null;
      }
    });
  });

  describe('idempotency', () => {
    it('answers a retry with the same key and body with the same appointment (201, replayed)', async () => {
      const key = `retry-${newId()}`;
      const first = await book({ offeringId: offering.id, start: '2026-03-04T08:00:00Z' }, patientToken, { 'idempotency-key': key });
      expect(first.statusCode).toBe(201);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      // the same instant written with another offset and the id in capitals is the same request
      const retry = await book({ offeringId: offering.id.toUpperCase(), start: '2026-03-04T09:00:00+01:00' }, patientToken, { 'idempotency-key': key });
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json()).toEqual(first.json());
    });

    it('refuses the same key with another body (422) and scopes keys per patient', async () => {
      const key = `mismatch-${newId()}`;
      expect((await book({ offeringId: offering.id, start: '2026-03-04T08:30:00Z' }, patientToken, { 'idempotency-key': key })).statusCode).toBe(201);
      const other = await book({ offeringId: offering.id, start: '2026-03-04T09:00:00Z' }, patientToken, { 'idempotency-key': key });
      expect(other.statusCode).toBe(422);
      expect(other.json().code).toBe('BOOKING_IDEMPOTENCY_MISMATCH');
      // another patient may use the same key string for their own booking
      const stranger = await book({ offeringId: offering.id, start: '2026-03-04T09:00:00Z' }, await env.upstream.token(newId(), 'patient'), { 'idempotency-key': key });
      expect(stranger.statusCode).toBe(201);
    });

    it('does not store a key when the booking failed, so a corrected retry can use it', async () => {
      const key = `failed-${newId()}`;
      expect((await book({ offeringId: offering.id, start: '2026-03-04T08:10:00Z' }, patientToken, { 'idempotency-key': key })).statusCode).toBe(422);
      expect((await book({ offeringId: offering.id, start: '2026-03-04T10:00:00Z' }, patientToken, { 'idempotency-key': key })).statusCode).toBe(201);
    });

    it('turns concurrent requests with one key into one appointment', async () => {
      const key = `concurrent-${newId()}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, () => book({ offeringId: offering.id, start: '2026-03-04T13:00:00Z' }, patientToken, { 'idempotency-key': key })),
      );
      expect(results.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
      expect(new Set(results.map((r) => r.json().id)).size).toBe(1);
      expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
      const mine = (await list('from=2026-03-04&to=2026-03-04&limit=100', providerToken)).json().items.filter((a: { start: string }) => a.start === '2026-03-04T13:00:00Z');
      expect(mine).toHaveLength(1);
    });
  });

  describe('cancel', () => {
    it('cancels by the patient, frees the slot, and the slot can be booked again', async () => {
      const start = '2026-03-05T08:00:00Z';
      const a = (await book({ offeringId: offering.id, start })).json();
      env.clock.set('2026-03-02T07:00:00Z');
      try {
        const res = await cancel(a.id, patientToken, { reason: 'Feeling better after the new medication' });
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ id: a.id, status: 'cancelled', cancelledBy: 'patient', cancelledAt: '2026-03-02T07:00:00.000Z', cancelReason: 'Feeling better after the new medication' });
      } finally {
        env.clock.set('2026-03-02T06:00:00Z');
      }
      const slots = (await env.app.inject({ url: `/api/v1/booking/slots?offeringId=${offering.id}&from=2026-03-05&to=2026-03-05` })).json().slots;
      expect(slots[0].start).toBe(start);
      const rebooked = await book({ offeringId: offering.id, start }, await env.upstream.token(newId(), 'patient'));
      expect(rebooked.statusCode).toBe(201);
      expect(rebooked.json().id).not.toBe(a.id);
      // cancelling twice is a conflict, with no change
      const twice = await cancel(a.id, patientToken);
      expect(twice.statusCode).toBe(409);
      expect(twice.json().code).toBe('BOOKING_NOT_CANCELLABLE');
      expect((await get(a.id, patientToken)).json().cancelledAt).toBe('2026-03-02T07:00:00.000Z');
    });

    it('cancels by the provider without a body; refuses an appointment that has started', async () => {
      const a = (await book({ offeringId: offering.id, start: '2026-03-05T08:30:00Z' })).json();
      const res = await cancel(a.id, providerToken);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ status: 'cancelled', cancelledBy: 'provider', cancelReason: null });

      const b = (await book({ offeringId: offering.id, start: '2026-03-05T09:00:00Z' })).json();
      env.clock.set('2026-03-05T09:00:00Z');
      try {
        const started = await cancel(b.id, patientToken);
        expect(started.statusCode).toBe(409);
        expect(started.json().code).toBe('BOOKING_NOT_CANCELLABLE');
      } finally {
        env.clock.set('2026-03-02T06:00:00Z');
      }
    });
  });

  describe('ownership', () => {
    it('shows and cancels an appointment only for its patient and its provider; anyone else gets 404', async () => {
      const a = (await book({ offeringId: offering.id, start: '2026-03-06T08:00:00Z' })).json();
      expect((await get(a.id, patientToken)).statusCode).toBe(200);
      expect((await get(a.id, providerToken)).statusCode).toBe(200);
      for (const stranger of [await env.upstream.token(newId(), 'patient'), await env.upstream.token(newId(), 'provider'), await env.upstream.token(providerId, 'patient')]) {
        const seen = await get(a.id, stranger);
        expect(seen.statusCode).toBe(404);
        expect(seen.json().code).toBe('BOOKING_APPOINTMENT_NOT_FOUND');
        expect((await cancel(a.id, stranger)).statusCode).toBe(404);
      }
      expect((await get(a.id, patientToken)).json().status).toBe('booked');
      expect((await get(newId(), patientToken)).statusCode).toBe(404);
    });
  });

  describe('listing', () => {
    let p2: string;
    let p2Token: string;
    let mine: string[];
    beforeAll(async () => {
      p2 = newId();
      p2Token = await env.upstream.token(p2, 'patient');
      // Week of 2026-03-09: Mon..Fri at 09:00 Rome (08:00Z), plus Tue and Thu 14:00 (13:00Z)
      const starts = ['2026-03-09T08:00:00Z', '2026-03-10T08:00:00Z', '2026-03-10T13:00:00Z', '2026-03-11T08:00:00Z', '2026-03-12T08:00:00Z', '2026-03-12T13:00:00Z', '2026-03-13T08:00:00Z'];
      mine = [];
      for (const start of starts.reverse()) {
        const res = await book({ offeringId: offering.id, start }, p2Token);
        expect(res.statusCode).toBe(201);
        mine.push(res.json().id);
      }
      expect((await cancel(mine[0]!, p2Token)).statusCode).toBe(200); // 2026-03-13
    });

    it('gives a patient their own appointments by start time, filtered by local date and status', async () => {
      const all = (await list('', p2Token)).json();
      expect(all.nextCursor).toBeNull();
      expect(all.items).toHaveLength(7);
      expect(all.items.every((a: { patientId: string }) => a.patientId === p2)).toBe(true);
      const starts = all.items.map((a: { start: string }) => a.start);
      expect(starts).toEqual([...starts].sort());

      const midweek = (await list('from=2026-03-10&to=2026-03-12', p2Token)).json().items;
      expect(midweek.map((a: { start: string }) => a.start)).toEqual(['2026-03-10T08:00:00Z', '2026-03-10T13:00:00Z', '2026-03-11T08:00:00Z', '2026-03-12T08:00:00Z', '2026-03-12T13:00:00Z']);
      const cancelled = (await list('status=cancelled', p2Token)).json().items;
      expect(cancelled.map((a: { start: string }) => a.start)).toEqual(['2026-03-13T08:00:00Z']);
      const booked = (await list('status=booked&from=2026-03-13', p2Token)).json().items;
      expect(booked).toEqual([]);
    });

    it('pages with an opaque cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`, p2Token);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        seen.push(...body.items.map((a: { id: string }) => a.id));
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toHaveLength(7);
      expect(new Set(seen)).toEqual(new Set(mine));
    });

    it('gives a provider their agenda across patients, and nothing of other providers', async () => {
      const agenda = (await list('from=2026-03-09&to=2026-03-13&status=booked&limit=100', providerToken)).json();
      expect(agenda.items).toHaveLength(6);
      expect(agenda.items.every((a: { providerId: string }) => a.providerId === providerId)).toBe(true);
      const stranger = (await list('', await env.upstream.token(newId(), 'provider'))).json();
      expect(stranger).toEqual({ items: [], nextCursor: null });
    });

    it('filters by the local date of the appointment, not the UTC date', async () => {
      const nightOwl = newId();
      const nightToken = await env.upstream.token(nightOwl, 'provider');
      const night = makeOffering({ providerId: nightOwl, durationMinutes: 30 });
      env.upstream.offerings.set(night.id, night);
      const put = await env.app.inject({
        method: 'PUT',
        url: '/api/v1/booking/availability',
        headers: bearer(nightToken),
        payload: { timeZone: 'Europe/Rome', weekly: [], exceptions: [{ date: '2026-03-10', intervals: [{ start: '00:00', end: '01:00' }] }] },
      });
      expect(put.statusCode).toBe(200);
      // 00:30 on 2026-03-10 in Rome is 23:30Z on 2026-03-09
      expect((await book({ offeringId: night.id, start: '2026-03-09T23:30:00Z' }, p2Token)).statusCode).toBe(201);
      const onTenth = (await list('from=2026-03-10&to=2026-03-10', nightToken)).json().items;
      expect(onTenth.map((a: { start: string }) => a.start)).toEqual(['2026-03-09T23:30:00Z']);
      expect((await list('from=2026-03-09&to=2026-03-09', nightToken)).json().items).toEqual([]);
    });
  });
});
