// The outbox side of booking (ARCHITECTURE.md, Events): a booking and a cancellation each
// write exactly one event in the same transaction as the change; anything refused, rolled
// back or replayed writes none.
import { AppointmentBookedV1, AppointmentCancelledV1, EventSources, EventTypes, type Offering } from '@healthmatch/contracts';
import { compileSchemaCheck } from '@healthmatch/platform';
import { parseEvent, type CloudEvent } from '@healthmatch/platform/events';
import { bearer } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOffering, newId, openDatabase, ROME_WEEKDAYS, startBookingTestEnv, testFieldCipher, type BookingTestEnv } from '../test-support/harness.ts';
import { appointmentRepository } from './appointment-repository.ts';
import type { BookingDatabase } from './database.ts';

const BASE = '/api/v1/booking/appointments';
const bookedData = compileSchemaCheck(AppointmentBookedV1);
const cancelledData = compileSchemaCheck(AppointmentCancelledV1);

describe('booking events in the outbox', () => {
  let env: BookingTestEnv;
  let db: BookingDatabase;
  let patientId: string;
  let patientToken: string;
  let offering: Offering;

  const book = (start: string, headers: Record<string, string> = {}, token = patientToken) =>
    env.app.inject({ method: 'POST', url: BASE, headers: { ...bearer(token), ...headers }, payload: { offeringId: offering.id, start } });
  const outbox = async (): Promise<Array<{ id: string; type: string; payload: CloudEvent }>> =>
    (await db.pool.query('select id, type, payload from outbox order by created_at, id')).rows;

  beforeAll(async () => {
    env = await startBookingTestEnv('booking_events', { now: '2026-03-02T06:00:00Z' });
    db = openDatabase(env.testDb.url);
    const providerId = newId();
    patientId = newId();
    patientToken = await env.upstream.token(patientId, 'patient');
    offering = makeOffering({
      providerId,
      durationMinutes: 30,
      modality: 'telehealth',
      price: { amount: 6000, currency: 'EUR' },
      provider: { id: providerId, name: 'Studio Medico Bianchi', city: 'Roma', demo: false },
    });
    env.upstream.offerings.set(offering.id, offering);
    const providerToken = await env.upstream.token(providerId, 'provider');
    expect((await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(providerToken), payload: ROME_WEEKDAYS })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await db.close();
    await env.close();
  });

  let bookedId: string;

  it('a booking writes exactly one booked.v1 event with a valid envelope and contract data', async () => {
    const before = (await outbox()).length;
    const res = await book('2026-03-02T09:00:00+01:00');
    expect(res.statusCode).toBe(201);
    const a = res.json();
    bookedId = a.id;
    const rows = (await outbox()).slice(before);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.type).toBe(EventTypes.appointmentBooked);
    const event = parseEvent(row.payload);
    expect(event).toMatchObject({ specversion: '1.0', id: row.id, source: EventSources.booking, type: EventTypes.appointmentBooked, subject: a.id });
    expect(bookedData.check(event.data) ? [] : bookedData.errors('data')).toEqual([]);
    expect(event.data).toEqual({
      appointmentId: a.id,
      patientId,
      providerId: offering.providerId,
      offeringId: offering.id,
      serviceId: offering.service.id,
      serviceName: offering.service.name,
      start: '2026-03-02T08:00:00.000Z',
      end: '2026-03-02T08:30:00.000Z',
      timeZone: 'Europe/Rome',
      modality: 'telehealth',
      price: { amount: 6000, currency: 'EUR' },
      status: 'booked',
      // Where, as the catalog showed it when booking: messages say it without asking the catalog.
      venue: { providerName: 'Studio Medico Bianchi', address: 'Via Roma 1', city: 'Roma' },
    });
  });

  it('a refused booking (409 slot taken, 422 not a slot) writes none', async () => {
    const before = await outbox();
    const taken = await book('2026-03-02T08:00:00Z', {}, await env.upstream.token(newId(), 'patient'));
    expect(taken.statusCode).toBe(409);
    const offGrid = await book('2026-03-02T08:10:00Z');
    expect(offGrid.statusCode).toBe(422);
    expect(await outbox()).toEqual(before);
  });

  it('a transaction rolled back by the database (overlap found by the constraint) writes none', async () => {
    const repo = appointmentRepository(db, testFieldCipher());
    const before = await outbox();
    const outcome = await repo.insert({
      providerId: offering.providerId,
      patientId: newId(),
      offeringId: offering.id,
      serviceId: offering.service.id,
      serviceName: offering.service.name,
      modality: 'telehealth',
      price: { amount: 6000, currency: 'EUR' },
      durationMinutes: 30,
      timeZone: 'Europe/Rome',
      start: new Date('2026-03-02T08:15:00Z'),
      end: new Date('2026-03-02T08:45:00Z'),
      createdAt: new Date('2026-03-02T06:00:00Z'),
    });
    expect(outcome.kind).toBe('slot-taken');
    expect(await outbox()).toEqual(before);
  });

  it('an idempotent replay writes no second event', async () => {
    const key = `events-${newId()}`;
    const before = (await outbox()).length;
    const first = await book('2026-03-03T08:00:00Z', { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const retry = await book('2026-03-03T08:00:00Z', { 'idempotency-key': key });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    const rows = (await outbox()).slice(before);
    expect(rows.map((r) => [r.type, r.payload.subject])).toEqual([[EventTypes.appointmentBooked, first.json().id]]);
  });

  it('a cancellation writes one cancelled.v1 event without the reason; a second cancel writes none', async () => {
    env.clock.set('2026-03-02T07:00:00Z');
    const before = (await outbox()).length;
    const res = await env.app.inject({ method: 'POST', url: `${BASE}/${bookedId}/cancel`, headers: bearer(patientToken), payload: { reason: 'fever, cannot come' } });
    expect(res.statusCode).toBe(200);
    const again = await env.app.inject({ method: 'POST', url: `${BASE}/${bookedId}/cancel`, headers: bearer(patientToken), payload: {} });
    expect(again.statusCode).toBe(409);
    const rows = (await outbox()).slice(before);
    expect(rows).toHaveLength(1);
    const event = parseEvent(rows[0]!.payload);
    expect(event).toMatchObject({ source: EventSources.booking, type: EventTypes.appointmentCancelled, subject: bookedId, time: '2026-03-02T07:00:00.000Z' });
    expect(cancelledData.check(event.data) ? [] : cancelledData.errors('data')).toEqual([]);
    expect(event.data).toMatchObject({ appointmentId: bookedId, status: 'cancelled', cancelledBy: 'patient', cancelledAt: '2026-03-02T07:00:00.000Z' });
    expect(JSON.stringify(rows[0]!.payload)).not.toContain('fever');
  });
});
