// End-to-end journeys through the gateway of a whole running platform: every service as its
// own process (the launcher's startPlatform), fresh databases on the test PostgreSQL, small
// invented catalogue files. One platform for the whole file (a start costs seconds and
// hundreds of MB); extra processes (a second booking process, a low-limit gateway, a
// catalog brought back after a stop) are added with spawnService where a journey needs them.
//
// The booking clock is the real one, so every slot used here lies one to two weeks ahead.
// No timing assertions: only behaviour.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppointmentBookedV1, AppointmentCancelledV1, EventSources, EventTypes } from '@healthmatch/contracts';
import { compileSchemaCheck } from '@healthmatch/platform';
import { createPostgresTransport, type CloudEvent, type EventTransport, type Subscription } from '@healthmatch/platform/events';
import {
  agent,
  client,
  expectStatus,
  findService,
  freeSlots,
  isProblem,
  mapLimit,
  PASSWORD,
  providerWithOffering,
  registerPatient,
  registerProvider,
  ROME,
  romeDate,
  ROME_ZONE,
  startE2EPlatform,
  uniqueEmail,
  waitForMail,
  WEEK_AHEAD,
  WEEKLY_HOURS,
  type Account,
  type Answer,
  type Client,
  type E2EPlatform,
  type Json,
  type MailFile,
} from './platform.ts';

let e2e: E2EPlatform;
let api: Client;

beforeAll(async () => {
  e2e = await startE2EPlatform();
  api = client(e2e.gateway);
  console.log(`e2e: platform started in ${e2e.platform.startupMs} ms (${[...e2e.platform.processes.keys()].join(', ')})`);
}, 180_000);

afterAll(async () => {
  await e2e?.stop();
  await agent.close();
}, 120_000);

const bearer = (a: Account) => ({ token: a.accessToken });
const book = (c: Client, patient: Account, offeringId: string, start: string, headers?: Record<string, string>) =>
  c.post('/api/v1/booking/appointments', { ...bearer(patient), json: { offeringId, start }, headers });

function expectProblem(res: Answer, status: number, code?: string): void {
  if (res.status !== status || !isProblem(res)) {
    throw new Error(`expected a ${status} problem${code ? ` ${code}` : ''}, got ${res.status} ${res.contentType}: ${res.text.slice(0, 800)}`);
  }
  if (code) expect(res.body.code).toBe(code);
  expect(typeof res.body.requestId).toBe('string');
  expect(res.text).not.toMatch(/\bat .+\.ts:\d+/); // never a stack trace
}

/** Asks again (the gateway's /status reuses an answer for a second) until `ok` or a few seconds passed; returns the last answer. */
async function eventually(ask: () => Promise<Answer>, ok: (r: Answer) => boolean): Promise<Answer> {
  let last = await ask();
  for (let i = 0; i < 20 && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 250));
    last = await ask();
  }
  return last;
}

const fieldsOf = (res: Answer): string[] => (res.body?.errors ?? []).map((x: Json) => x.field);

function tally(results: Answer[]): Record<string, number> {
  const t: Record<string, number> = {};
  for (const r of results) {
    const key = r.status === 201 ? '201' : `${r.status} ${r.body?.code ?? r.text.slice(0, 80)}`;
    t[key] = (t[key] ?? 0) + 1;
  }
  return t;
}

// ------------------------------------------------------------------------------------
describe('journey: provider publishes, patient finds and books, sessions', () => {
  let provider: Account;
  let patient: Account;
  let offering: Json;
  let appointment: Json;

  it('a provider registers with a Rome address and sees its own profile', async () => {
    provider = await registerProvider(api, 'Dott.ssa Elena Cuore');
    const me = expectStatus(await api.get('/api/v1/users/me', bearer(provider)), 200).body;
    expect(me).toMatchObject({ id: provider.id, role: 'provider', email: provider.email, displayName: 'Dott.ssa Elena Cuore', ...ROME, demo: false });
    const who = expectStatus(await api.get('/api/v1/auth/me', bearer(provider)), 200).body;
    expect(who).toEqual({ id: provider.id, email: provider.email, role: 'provider' });
  });

  it('finds the service in the catalogue and creates an offering', async () => {
    const services = expectStatus(await api.get('/api/v1/catalog/services?q=cardiolog'), 200).body;
    const codes = services.items.map((s: Json) => s.code);
    expect(codes).toEqual(expect.arrayContaining(['E2E.1', 'E2E.2']));
    expect(codes).not.toContain('E2E.3'); // the ophthalmology visit
    const service = services.items.find((s: Json) => s.code === 'E2E.1');
    expect(service.specialty).toMatchObject({ code: 'E1', name: 'Cardiologia', derived: true });
    expect(service.description).toBe('PRIMA VISITA CARDIOLOGICA. Incluso: ECG');

    const res = await api.post('/api/v1/catalog/offerings', {
      ...bearer(provider),
      json: { serviceId: service.id, price: { amount: 12000, currency: 'EUR' }, durationMinutes: 30, modality: 'in_person' },
    });
    offering = expectStatus(res, 201).body;
    expect(offering).toMatchObject({
      providerId: provider.id,
      service: { id: service.id, code: 'E2E.1' },
      price: { amount: 12000, currency: 'EUR' },
      durationMinutes: 30,
      modality: 'in_person',
      active: true,
      location: ROME, // defaults to the provider's own address and coordinates
    });
    const mine = expectStatus(await api.get('/api/v1/catalog/offerings?mine=true', bearer(provider)), 200).body;
    expect(mine.items.map((o: Json) => o.id)).toEqual([offering.id]);
  });

  it('publishes weekly availability in Rome time', async () => {
    const put = expectStatus(await api.put('/api/v1/booking/availability', { ...bearer(provider), json: WEEKLY_HOURS }), 200).body;
    expect(put).toMatchObject({ providerId: provider.id, timeZone: ROME_ZONE, minNoticeMinutes: 120, exceptions: [] });
    expect(put.weekly).toHaveLength(10);
    const got = expectStatus(await api.get('/api/v1/booking/availability', bearer(provider)), 200).body;
    expect(got.weekly).toEqual(put.weekly);
  });

  it('a patient registers and finds the offering by words, place and distance', async () => {
    patient = await registerPatient(api, 'Marco', 'Bianchi');
    expect(patient.role).toBe('patient');

    const near = expectStatus(await api.get('/api/v1/catalog/search?q=visita%20cardiologica&lat=41.9&lon=12.5&radiusKm=20&limit=100'), 200).body;
    const hit = near.items.find((h: Json) => h.offeringId === offering.id);
    expect(hit).toBeDefined();
    expect(hit).toMatchObject({ provider: { id: provider.id, name: 'Dott.ssa Elena Cuore', city: 'Roma', demo: false }, price: { amount: 12000, currency: 'EUR' } });
    expect(hit.distanceKm).toBeGreaterThan(0);
    expect(hit.distanceKm).toBeLessThan(5); // Via del Corso is about 1.5 km from 41.9,12.5
    // sorted by distance
    const distances = near.items.map((h: Json) => h.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));

    // words match as prefixes, whatever the case and accents
    for (const q of ['Cardiolog', 'CARDIOLOGICA', 'cardiològica', 'Visita Cardiològica', 'cardiologica prima']) {
      const res = expectStatus(await api.get(`/api/v1/catalog/search?q=${encodeURIComponent(q)}&limit=100`), 200, `q=${q}`).body;
      expect(res.items.map((h: Json) => h.offeringId), `q=${q}`).toContain(offering.id);
    }
    const byProviderName = expectStatus(await api.get('/api/v1/catalog/search?q=cuore&limit=100'), 200).body;
    expect(byProviderName.items.map((h: Json) => h.offeringId)).toContain(offering.id);

    const other = expectStatus(await api.get('/api/v1/catalog/search?q=oculistica&limit=100'), 200).body;
    expect(other.items.map((h: Json) => h.offeringId)).not.toContain(offering.id);
    const milan = expectStatus(await api.get('/api/v1/catalog/search?q=cardiologica&lat=45.4642&lon=9.19&radiusKm=20&limit=100'), 200).body;
    expect(milan.items.map((h: Json) => h.offeringId)).not.toContain(offering.id);
    const cheap = expectStatus(await api.get('/api/v1/catalog/search?q=cardiologica&maxPrice=5000&limit=100'), 200).body;
    expect(cheap.items.map((h: Json) => h.offeringId)).not.toContain(offering.id);
  });

  it('reads the public provider profile without private fields', async () => {
    const pub = expectStatus(await api.get(`/api/v1/providers/${provider.id}`), 200).body;
    expect(pub).toMatchObject({ id: provider.id, displayName: 'Dott.ssa Elena Cuore', kind: 'practitioner', ...ROME, demo: false });
    for (const key of ['email', 'phone', 'locale', 'createdAt', 'updatedAt', 'role']) expect(pub, key).not.toHaveProperty(key);
    expect(JSON.stringify(pub)).not.toContain(provider.email);
    // a patient's id answers exactly like an unknown id
    const asPatient = await api.get(`/api/v1/providers/${patient.id}`);
    expectProblem(asPatient, 404);
    expect(JSON.stringify(asPatient.body)).not.toContain(patient.email);
  });

  it('lists the free slots of the week ahead: Mon-Fri 09-13 and 14-18 Rome time, 30 minutes each', async () => {
    const res = expectStatus(await api.get(`/api/v1/booking/slots?offeringId=${offering.id}&from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}`), 200).body;
    expect(res).toMatchObject({ offeringId: offering.id, timeZone: ROME_ZONE });
    // 7 consecutive days hold 5 working days of 16 half-hour slots (no exceptions published)
    expect(res.slots).toHaveLength(80);
    for (const s of res.slots as { start: string; end: string }[]) {
      const start = DateTime.fromISO(s.start, { zone: ROME_ZONE });
      const end = DateTime.fromISO(s.end, { zone: ROME_ZONE });
      expect(end.diff(start, 'minutes').minutes).toBe(30);
      expect(start.weekday).toBeLessThanOrEqual(5);
      const minutes = start.hour * 60 + start.minute;
      const inMorning = minutes >= 9 * 60 && minutes + 30 <= 13 * 60;
      const inAfternoon = minutes >= 14 * 60 && minutes + 30 <= 18 * 60;
      expect(inMorning || inAfternoon, s.start).toBe(true);
      expect(start.toISODate()! >= WEEK_AHEAD.from && start.toISODate()! <= WEEK_AHEAD.to).toBe(true);
    }
  });

  it('books a slot: 201 with the price and duration copied, in both lists, gone from the slots', async () => {
    const slots = await freeSlots(api, offering.id);
    const slot = slots[5]!;
    const res = await book(api, patient, offering.id, slot.start);
    appointment = expectStatus(res, 201).body;
    expect(res.headers.location).toBe(`/api/v1/booking/appointments/${appointment.id}`);
    expect(appointment).toMatchObject({
      status: 'booked',
      start: slot.start,
      end: slot.end,
      timeZone: ROME_ZONE,
      offeringId: offering.id,
      serviceId: offering.service.id,
      serviceName: offering.service.name,
      providerId: provider.id,
      patientId: patient.id,
      price: { amount: 12000, currency: 'EUR' },
      durationMinutes: 30,
      modality: 'in_person',
      cancelledAt: null,
      cancelledBy: null,
    });

    const own = expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body;
    expect(own.items.map((a: Json) => a.id)).toEqual([appointment.id]);
    expect(own.nextCursor).toBeNull();
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${appointment.id}`, bearer(patient)), 200).body).toMatchObject({ id: appointment.id, status: 'booked' });

    const agenda = expectStatus(await api.get(`/api/v1/booking/appointments?from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}`, bearer(provider)), 200).body;
    expect(agenda.items).toHaveLength(1);
    expect(agenda.items[0]).toMatchObject({ id: appointment.id, patientId: patient.id, status: 'booked' });

    const after = await freeSlots(api, offering.id);
    expect(after).toHaveLength(slots.length - 1);
    expect(after.map((s) => s.start)).not.toContain(slot.start);
  });

  it('refuses a start off the grid, outside the hours, in the past, within the notice, or of an unknown offering', async () => {
    const unbookable = async (offeringId: string, start: string, reason: string) => {
      const res = await book(api, patient, offeringId, start);
      expectProblem(res, 422, 'BOOKING_SLOT_UNAVAILABLE');
      expect(res.body.reason, `${start}: ${res.text}`).toBe(reason);
    };
    const onGrid = (await freeSlots(api, offering.id))[0]!.start;
    await unbookable(offering.id, DateTime.fromISO(onGrid).plus({ minutes: 10 }).toUTC().toISO()!, 'OFF_GRID');
    await unbookable(offering.id, DateTime.fromISO(`${WEEK_AHEAD.from}T22:00`, { zone: ROME_ZONE }).toUTC().toISO()!, 'OUTSIDE_AVAILABILITY');
    // the same weekday and wall-clock time 52 weeks earlier
    await unbookable(offering.id, DateTime.fromISO(onGrid, { zone: ROME_ZONE }).minus({ weeks: 52 }).toUTC().toISO()!, 'IN_PAST');
    expectProblem(await book(api, patient, randomUUID(), onGrid), 422, 'BOOKING_OFFERING_UNAVAILABLE');

    // Within the notice: a provider open around the clock, a slot 30 to 60 minutes from now.
    const allDay = await registerProvider(api, 'Guardia Medica Continua');
    const service = await findService(api, 'visita cardiologica controllo', /^E2E\.2$/);
    const alwaysOpen = expectStatus(
      await api.post('/api/v1/catalog/offerings', { ...bearer(allDay), json: { serviceId: service.id, price: { amount: 5000, currency: 'EUR' }, durationMinutes: 30, modality: 'telehealth' } }),
      201,
    ).body;
    const everyDay = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, start: '00:00', end: '24:00' }));
    expectStatus(await api.put('/api/v1/booking/availability', { ...bearer(allDay), json: { timeZone: ROME_ZONE, weekly: everyDay, minNoticeMinutes: 120 } }), 200);
    const now = DateTime.now().setZone(ROME_ZONE);
    const nextHalfHour = now.startOf('hour').plus({ minutes: now.minute < 30 ? 30 : 60 });
    await unbookable(alwaysOpen.id, nextHalfHour.plus({ minutes: 30 }).toUTC().toISO()!, 'TOO_SOON');
    // and the slots of today and tomorrow begin after the notice
    const soon = await freeSlots(api, alwaysOpen.id, { from: romeDate(0), to: romeDate(1) });
    expect(soon.length).toBeGreaterThan(0);
    expect(Date.parse(soon[0]!.start)).toBeGreaterThanOrEqual(now.plus({ minutes: 120 }).toMillis());

    expect(expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body.items).toHaveLength(1);
  });

  it('login, refresh with rotation (reuse of an old token revokes the family), logout', async () => {
    const login = expectStatus(await api.post('/api/v1/auth/login', { json: { email: patient.email.toUpperCase(), password: PASSWORD } }), 200).body;
    expect(login.user).toEqual({ id: patient.id, email: patient.email, role: 'patient' });
    expect(login.expiresIn).toBeGreaterThan(0);
    expect(expectStatus(await api.get('/api/v1/booking/appointments', { token: login.accessToken }), 200).body.items).toHaveLength(1);

    const wrong = await api.post('/api/v1/auth/login', { json: { email: patient.email, password: 'not the password' } });
    expectProblem(wrong, 401, 'AUTH_INVALID_CREDENTIALS');
    const unknown = await api.post('/api/v1/auth/login', { json: { email: uniqueEmail('nobody'), password: 'not the password' } });
    expectProblem(unknown, 401, 'AUTH_INVALID_CREDENTIALS');
    expect(unknown.body.detail).toBe(wrong.body.detail); // no hint which of the two was wrong

    const r1 = login.refreshToken as string;
    const refreshed = expectStatus(await api.post('/api/v1/auth/refresh', { json: { refreshToken: r1 } }), 200).body;
    const r2 = refreshed.refreshToken as string;
    expect(r2).not.toBe(r1);
    expect(refreshed.user.id).toBe(patient.id);
    expectStatus(await api.get('/api/v1/auth/me', { token: refreshed.accessToken }), 200);

    // r1 was exchanged already: its reuse is refused and revokes the family, so r2 dies too
    expectProblem(await api.post('/api/v1/auth/refresh', { json: { refreshToken: r1 } }), 401, 'AUTH_REFRESH_INVALID');
    expectProblem(await api.post('/api/v1/auth/refresh', { json: { refreshToken: r2 } }), 401, 'AUTH_REFRESH_INVALID');
    // the registration's own session is another family and still works
    const fromRegistration = expectStatus(await api.post('/api/v1/auth/refresh', { json: { refreshToken: patient.refreshToken } }), 200).body;
    patient.refreshToken = fromRegistration.refreshToken;

    const out = await api.post('/api/v1/auth/logout', { json: { refreshToken: patient.refreshToken } });
    expect(out.status).toBe(204);
    expectProblem(await api.post('/api/v1/auth/refresh', { json: { refreshToken: patient.refreshToken } }), 401, 'AUTH_REFRESH_INVALID');
    // an unknown token logs out quietly
    expect((await api.post('/api/v1/auth/logout', { json: { refreshToken: 'x'.repeat(43) } })).status).toBe(204);
  });
});

// ------------------------------------------------------------------------------------
describe('journey: idempotent retries of a booking', () => {
  let setup: Awaited<ReturnType<typeof providerWithOffering>>;
  let patient: Account;
  let slots: { start: string; end: string }[];

  beforeAll(async () => {
    setup = await providerWithOffering(api, 'Studio Idempotente');
    patient = await registerPatient(api, 'Ida', 'Ripetuti');
    slots = await freeSlots(api, setup.offering.id);
  });

  it('the same key and body answers 201 with the same appointment, however the instant is written', async () => {
    const key = `retry-${randomUUID()}`;
    const start = slots[3]!.start;
    const first = await book(api, patient, setup.offering.id, start, { 'idempotency-key': key });
    const created = expectStatus(first, 201).body;
    expect(first.headers['idempotent-replayed']).toBeUndefined();

    const again = await book(api, patient, setup.offering.id, start, { 'idempotency-key': key });
    expectStatus(again, 201);
    expect(again.body.id).toBe(created.id);
    expect(again.headers['idempotent-replayed']).toBe('true');

    // the same instant in Rome's offset and with milliseconds, the offering id in upper case
    const sameInstant = DateTime.fromISO(start).setZone(ROME_ZONE).toISO({ includeOffset: true })!;
    expect(sameInstant).not.toBe(start);
    const third = await book(api, patient, setup.offering.id.toUpperCase(), sameInstant, { 'idempotency-key': key });
    expectStatus(third, 201);
    expect(third.body.id).toBe(created.id);

    const list = expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body;
    expect(list.items.map((a: Json) => a.id)).toEqual([created.id]);

    // the same key with another request
    const other = await book(api, patient, setup.offering.id, slots[4]!.start, { 'idempotency-key': key });
    expectProblem(other, 422, 'BOOKING_IDEMPOTENCY_MISMATCH');
    expect(expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body.items).toHaveLength(1);
    // and the other slot is still free
    expect((await freeSlots(api, setup.offering.id)).map((s) => s.start)).toContain(slots[4]!.start);
  });

  it('concurrent requests with one key create one appointment', async () => {
    const key = `burst-${randomUUID()}`;
    const start = slots[10]!.start;
    const results = await Promise.all(Array.from({ length: 10 }, () => book(api, patient, setup.offering.id, start, { 'idempotency-key': key })));
    console.log(`e2e: 10 concurrent requests with one Idempotency-Key: ${JSON.stringify(tally(results))}`);
    for (const r of results) expect(r.status).toBeLessThan(500);
    const created = results.filter((r) => r.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((r) => r.body.id)).size).toBe(1);
    const list = expectStatus(await api.get('/api/v1/booking/appointments?status=booked', bearer(patient)), 200).body;
    expect(list.items.filter((a: Json) => a.start === start)).toHaveLength(1);
  });

  it('a refused request does not store its key: the same key works once the request is valid', async () => {
    const key = `refused-${randomUUID()}`;
    const offGrid = DateTime.fromISO(slots[20]!.start).plus({ minutes: 5 }).toUTC().toISO()!;
    expectProblem(await book(api, patient, setup.offering.id, offGrid, { 'idempotency-key': key }), 422, 'BOOKING_SLOT_UNAVAILABLE');
    expectStatus(await book(api, patient, setup.offering.id, slots[20]!.start, { 'idempotency-key': key }), 201);
  });
});

// ------------------------------------------------------------------------------------
describe('journey: cancel and rebook', () => {
  it('a cancelled slot reappears and another patient books it; cancelling twice is 409; the provider cancels from the agenda', async () => {
    const { provider, offering } = await providerWithOffering(api, 'Ambulatorio Disdette');
    const [anna, bruno] = await Promise.all([registerPatient(api, 'Anna', 'Prima'), registerPatient(api, 'Bruno', 'Secondo')]);
    const start = (await freeSlots(api, offering.id))[7]!.start;

    const a = expectStatus(await book(api, anna!, offering.id, start), 201).body;
    expectProblem(await book(api, bruno!, offering.id, start), 409, 'BOOKING_SLOT_TAKEN');

    const cancelled = await api.post(`/api/v1/booking/appointments/${a.id}/cancel`, { ...bearer(anna!), json: { reason: 'Ho un altro impegno' } });
    expectStatus(cancelled, 200);
    expect(cancelled.body).toMatchObject({ id: a.id, status: 'cancelled', cancelledBy: 'patient', cancelReason: 'Ho un altro impegno' });
    expect(Number.isNaN(Date.parse(cancelled.body.cancelledAt))).toBe(false);
    expect((await freeSlots(api, offering.id)).map((s) => s.start)).toContain(start);

    const b = expectStatus(await book(api, bruno!, offering.id, start), 201).body;
    expect(b.id).not.toBe(a.id);
    expect((await freeSlots(api, offering.id)).map((s) => s.start)).not.toContain(start);

    expectProblem(await api.post(`/api/v1/booking/appointments/${a.id}/cancel`, { ...bearer(anna!), json: {} }), 409, 'BOOKING_NOT_CANCELLABLE');
    // Anna's view keeps her cancelled appointment
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${a.id}`, bearer(anna!)), 200).body.status).toBe('cancelled');

    // the provider sees both in the agenda and cancels Bruno's (no body at all is fine too)
    const agenda = expectStatus(await api.get('/api/v1/booking/appointments', bearer(provider)), 200).body;
    expect(agenda.items.map((x: Json) => [x.id, x.status])).toEqual(
      expect.arrayContaining([
        [a.id, 'cancelled'],
        [b.id, 'booked'],
      ]),
    );
    const booked = expectStatus(await api.get('/api/v1/booking/appointments?status=booked', bearer(provider)), 200).body;
    expect(booked.items.map((x: Json) => x.id)).toEqual([b.id]);
    const byProvider = await api.post(`/api/v1/booking/appointments/${b.id}/cancel`, bearer(provider));
    expectStatus(byProvider, 200);
    expect(byProvider.body).toMatchObject({ id: b.id, status: 'cancelled', cancelledBy: 'provider' });
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${b.id}`, bearer(bruno!)), 200).body).toMatchObject({ status: 'cancelled', cancelledBy: 'provider' });
    expectProblem(await api.post(`/api/v1/booking/appointments/${b.id}/cancel`, bearer(bruno!)), 409, 'BOOKING_NOT_CANCELLABLE');
    expect((await freeSlots(api, offering.id)).map((s) => s.start)).toContain(start);
  });
});

// ------------------------------------------------------------------------------------
describe('journey: ownership and roles', () => {
  let owner: Awaited<ReturnType<typeof providerWithOffering>>;
  let otherProvider: Account;
  let anna: Account;
  let bruno: Account;
  let appt: Json;

  beforeAll(async () => {
    owner = await providerWithOffering(api, 'Poliambulatorio Proprietario');
    [otherProvider, anna, bruno] = await Promise.all([registerProvider(api, 'Altro Studio'), registerPatient(api, 'Anna', 'Titolare'), registerPatient(api, 'Bruno', 'Curioso')]);
    const start = (await freeSlots(api, owner.offering.id))[2]!.start;
    appt = expectStatus(await book(api, anna, owner.offering.id, start), 201).body;
  });

  it("someone else's appointment is 404 for reading and cancelling, for patients and providers alike", async () => {
    for (const stranger of [bruno, otherProvider]) {
      expectProblem(await api.get(`/api/v1/booking/appointments/${appt.id}`, bearer(stranger)), 404, 'BOOKING_APPOINTMENT_NOT_FOUND');
      expectProblem(await api.post(`/api/v1/booking/appointments/${appt.id}/cancel`, { ...bearer(stranger), json: {} }), 404, 'BOOKING_APPOINTMENT_NOT_FOUND');
      const list = expectStatus(await api.get('/api/v1/booking/appointments', bearer(stranger)), 200).body;
      expect(list.items.map((x: Json) => x.id)).not.toContain(appt.id);
    }
    // an unknown id answers the same
    expectProblem(await api.get(`/api/v1/booking/appointments/${randomUUID()}`, bearer(bruno)), 404, 'BOOKING_APPOINTMENT_NOT_FOUND');
    // still booked, for its two parties
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${appt.id}`, bearer(anna)), 200).body.status).toBe('booked');
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${appt.id}`, bearer(owner.provider)), 200).body.status).toBe('booked');
  });

  it("another provider's PATCH of an offering is 404 and changes nothing; the owner's PATCH never rewrites a booked price", async () => {
    const id = owner.offering.id;
    expectProblem(await api.patch(`/api/v1/catalog/offerings/${id}`, { ...bearer(otherProvider), json: { price: { amount: 1, currency: 'EUR' } } }), 404, 'CATALOG_OFFERING_NOT_FOUND');
    expectProblem(await api.patch(`/api/v1/catalog/offerings/${id}`, { ...bearer(otherProvider), json: { active: false } }), 404, 'CATALOG_OFFERING_NOT_FOUND');
    const unchanged = expectStatus(await api.get(`/api/v1/catalog/offerings/${id}`), 200).body;
    expect(unchanged).toMatchObject({ price: owner.offering.price, active: true });

    const patched = expectStatus(await api.patch(`/api/v1/catalog/offerings/${id}`, { ...bearer(owner.provider), json: { price: { amount: 15000, currency: 'EUR' } } }), 200).body;
    expect(patched.price).toEqual({ amount: 15000, currency: 'EUR' });
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${appt.id}`, bearer(anna)), 200).body.price).toEqual(owner.offering.price);
  });

  it('roles: a patient cannot publish availability or offerings; a provider cannot book', async () => {
    expectProblem(await api.put('/api/v1/booking/availability', { ...bearer(anna), json: WEEKLY_HOURS }), 403, 'FORBIDDEN');
    expectProblem(await api.get('/api/v1/booking/availability', bearer(anna)), 403, 'FORBIDDEN');
    const service = await findService(api, 'oculistica', /^E2E\.3$/);
    expectProblem(
      await api.post('/api/v1/catalog/offerings', { ...bearer(anna), json: { serviceId: service.id, price: { amount: 5000, currency: 'EUR' }, durationMinutes: 20, modality: 'in_person' } }),
      403,
      'FORBIDDEN',
    );
    const start = (await freeSlots(api, owner.offering.id))[0]!.start;
    expectProblem(await book(api, otherProvider, owner.offering.id, start), 403, 'FORBIDDEN');
  });

  it('no token, or a bad one, is 401 problem+json at the gateway with a Bearer challenge', async () => {
    const requests: [string, string, unknown?][] = [
      ['GET', '/api/v1/booking/appointments'],
      ['GET', `/api/v1/booking/appointments/${appt.id}`],
      ['POST', `/api/v1/booking/appointments/${appt.id}/cancel`, {}],
      ['POST', '/api/v1/booking/appointments', { offeringId: owner.offering.id, start: appt.start }],
      ['PUT', '/api/v1/booking/availability', WEEKLY_HOURS],
      ['POST', '/api/v1/catalog/offerings', {}],
      ['PATCH', `/api/v1/catalog/offerings/${owner.offering.id}`, { active: false }],
      ['GET', '/api/v1/catalog/offerings?mine=true'],
      ['GET', '/api/v1/users/me'],
      ['GET', '/api/v1/auth/me'],
    ];
    for (const [method, target, json] of requests) {
      for (const token of [undefined, 'not-a-jwt', `${anna.accessToken.slice(0, -4)}AAAA`]) {
        const res = await api.call(method, target, { token, json });
        expectProblem(res, 401, 'UNAUTHENTICATED');
        expect(String(res.headers['www-authenticate']), `${method} ${target}`).toMatch(/^Bearer/);
      }
    }
    // nothing was cancelled or deactivated on the way
    expect(expectStatus(await api.get(`/api/v1/booking/appointments/${appt.id}`, bearer(anna)), 200).body.status).toBe('booked');
    expect(expectStatus(await api.get(`/api/v1/catalog/offerings/${owner.offering.id}`), 200).body.active).toBe(true);
  });
});

// ------------------------------------------------------------------------------------
describe('journey: bad input through the gateway is a 4xx problem naming the field, never a 500', () => {
  interface Case {
    name: string;
    method: string;
    target: string;
    as?: 'patient' | 'provider';
    json?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    status: number;
    code?: string;
    /** errors[].field must include each of these. */
    fields?: string[];
  }
  let patient: Account;
  let setup: Awaited<ReturnType<typeof providerWithOffering>>;

  beforeAll(async () => {
    setup = await providerWithOffering(api, 'Studio Validazione');
    patient = await registerPatient(api, 'Vale', 'Dati');
  });

  it('answers every bad request of the table as specified', async () => {
    const off = setup.offering.id;
    const start = (await freeSlots(api, off))[0]!.start;
    const register = (over: Record<string, unknown>) => ({
      email: uniqueEmail('bad'),
      password: PASSWORD,
      role: 'patient',
      profile: { firstName: 'A', lastName: 'B' },
      ...over,
    });
    const offeringBody = (over: Record<string, unknown>) => ({ serviceId: setup.offering.service.id, price: { amount: 5000, currency: 'EUR' }, durationMinutes: 30, modality: 'in_person', ...over });
    const cases: Case[] = [
      // ids in paths
      { name: 'bad UUID in an appointment path', method: 'GET', target: '/api/v1/booking/appointments/not-a-uuid', as: 'patient', status: 400, code: 'VALIDATION_FAILED', fields: ['path/id'] },
      { name: 'urn:uuid in a path', method: 'GET', target: `/api/v1/booking/appointments/urn:uuid:${randomUUID()}`, as: 'patient', status: 400, fields: ['path/id'] },
      { name: 'bad UUID in a cancel path', method: 'POST', target: '/api/v1/booking/appointments/123/cancel', as: 'patient', json: {}, status: 400, fields: ['path/id'] },
      // (the gateway treats /offerings/{id} and /services/{id} as public only for a UUID, so anonymous these are 401)
      { name: 'bad UUID in an offering path, anonymous', method: 'GET', target: '/api/v1/catalog/offerings/xyz', status: 401, code: 'UNAUTHENTICATED' },
      { name: 'bad UUID in an offering path', method: 'GET', target: '/api/v1/catalog/offerings/xyz', as: 'patient', status: 400, fields: ['path/id'] },
      { name: 'bad UUID in a provider path', method: 'GET', target: '/api/v1/providers/xyz', as: 'patient', status: 400, fields: ['path/id'] },
      { name: 'bad UUID in a service path', method: 'GET', target: '/api/v1/catalog/services/1234', as: 'provider', status: 400, fields: ['path/id'] },
      // slots
      { name: 'malformed from date', method: 'GET', target: `/api/v1/booking/slots?offeringId=${off}&from=2026-13-45&to=${WEEK_AHEAD.to}`, status: 400, fields: ['query/from'] },
      { name: 'date with a time', method: 'GET', target: `/api/v1/booking/slots?offeringId=${off}&from=${WEEK_AHEAD.from}T09:00&to=${WEEK_AHEAD.to}`, status: 400, fields: ['query/from'] },
      { name: 'to before from', method: 'GET', target: `/api/v1/booking/slots?offeringId=${off}&from=${WEEK_AHEAD.to}&to=${WEEK_AHEAD.from}`, status: 400, code: 'BOOKING_INVALID_RANGE', fields: ['query/to'] },
      { name: 'more than 62 days', method: 'GET', target: `/api/v1/booking/slots?offeringId=${off}&from=2027-01-01&to=2027-03-04`, status: 400, code: 'BOOKING_INVALID_RANGE', fields: ['query/to'] },
      { name: 'missing offeringId', method: 'GET', target: `/api/v1/booking/slots?from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}`, status: 400, fields: ['query/offeringId'] },
      { name: 'bad offeringId', method: 'GET', target: `/api/v1/booking/slots?offeringId=42&from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}`, status: 400, fields: ['query/offeringId'] },
      { name: 'unknown slot parameter', method: 'GET', target: `/api/v1/booking/slots?offeringId=${off}&from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}&tz=UTC`, status: 400 },
      // register
      { name: 'wrong types in register', method: 'POST', target: '/api/v1/auth/register', json: register({ email: 42, password: true }), status: 400, code: 'VALIDATION_FAILED', fields: ['body/email', 'body/password'] },
      { name: 'unknown role', method: 'POST', target: '/api/v1/auth/register', json: register({ role: 'doctor' }), status: 400, fields: ['body/role'] },
      { name: 'admin cannot self-register', method: 'POST', target: '/api/v1/auth/register', json: register({ role: 'admin' }), status: 400, fields: ['body/role'] },
      { name: 'provider profile missing fields', method: 'POST', target: '/api/v1/auth/register', json: register({ role: 'provider' }), status: 400, fields: ['body/profile/displayName', 'body/profile/lat'] },
      { name: 'short password', method: 'POST', target: '/api/v1/auth/register', json: register({ password: 'short' }), status: 400, fields: ['body/password'] },
      { name: 'not an e-mail', method: 'POST', target: '/api/v1/auth/register', json: register({ email: 'not-an-email' }), status: 400, fields: ['body/email'] },
      { name: 'extra property', method: 'POST', target: '/api/v1/auth/register', json: register({ isAdmin: true }), status: 400, fields: ['body/isAdmin'] },
      { name: 'JSON array body', method: 'POST', target: '/api/v1/auth/login', json: [1, 2], status: 400 },
      { name: 'JSON null body', method: 'POST', target: '/api/v1/auth/login', raw: 'null', headers: { 'content-type': 'application/json' }, status: 400 },
      // bodies that are not JSON
      { name: 'text/plain body', method: 'POST', target: '/api/v1/auth/login', raw: 'email=a@b.it&password=x', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { name: 'form body', method: 'POST', target: '/api/v1/auth/register', raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
      { name: 'malformed JSON', method: 'POST', target: '/api/v1/auth/login', raw: '{"email": "a@b.it",', headers: { 'content-type': 'application/json' }, status: 400, code: 'MALFORMED_JSON' },
      { name: 'malformed JSON to booking', method: 'POST', target: '/api/v1/booking/appointments', as: 'patient', raw: '{offeringId:', headers: { 'content-type': 'application/json' }, status: 400 },
      {
        name: 'oversize body',
        method: 'POST',
        target: '/api/v1/auth/login',
        raw: JSON.stringify({ email: 'a@b.it', password: 'x'.repeat(400 * 1024) }),
        headers: { 'content-type': 'application/json' },
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
      // catalog
      { name: 'unknown modality in search', method: 'GET', target: '/api/v1/catalog/search?modality=teleport', status: 400, fields: ['query/modality'] },
      { name: 'lat without lon', method: 'GET', target: '/api/v1/catalog/search?lat=41.9', status: 400, fields: ['query/lon'] },
      { name: 'lat out of range', method: 'GET', target: '/api/v1/catalog/search?lat=91&lon=12', status: 400, fields: ['query/lat'] },
      { name: 'radius too large', method: 'GET', target: '/api/v1/catalog/search?lat=41.9&lon=12.5&radiusKm=5000', status: 400, fields: ['query/radiusKm'] },
      { name: 'limit above 100', method: 'GET', target: '/api/v1/catalog/search?limit=1000', status: 400, fields: ['query/limit'] },
      { name: 'tampered cursor', method: 'GET', target: '/api/v1/catalog/search?cursor=AAAA', status: 400, fields: ['query/cursor'] },
      { name: 'unknown modality in an offering', method: 'POST', target: '/api/v1/catalog/offerings', as: 'provider', json: offeringBody({ modality: 'carrier-pigeon' }), status: 400, fields: ['body/modality'] },
      { name: 'price as a string', method: 'POST', target: '/api/v1/catalog/offerings', as: 'provider', json: offeringBody({ price: { amount: '50', currency: 'EUR' } }), status: 400, fields: ['body/price/amount'] },
      { name: 'odd duration', method: 'POST', target: '/api/v1/catalog/offerings', as: 'provider', json: offeringBody({ durationMinutes: 7 }), status: 400, fields: ['body/durationMinutes'] },
      { name: 'unknown service', method: 'POST', target: '/api/v1/catalog/offerings', as: 'provider', json: offeringBody({ serviceId: randomUUID() }), status: 422, code: 'CATALOG_UNKNOWN_SERVICE' },
      { name: 'empty patch', method: 'PATCH', target: `/api/v1/catalog/offerings/${off}`, as: 'provider', json: {}, status: 400 },
      // booking
      { name: 'start not an instant', method: 'POST', target: '/api/v1/booking/appointments', as: 'patient', json: { offeringId: off, start: 'tomorrow at nine' }, status: 400, fields: ['body/start'] },
      { name: 'book without start', method: 'POST', target: '/api/v1/booking/appointments', as: 'patient', json: { offeringId: off }, status: 400, fields: ['body/start'] },
      { name: 'book with a price', method: 'POST', target: '/api/v1/booking/appointments', as: 'patient', json: { offeringId: off, start, price: 1 }, status: 400, fields: ['body/price'] },
      { name: 'Idempotency-Key too long', method: 'POST', target: '/api/v1/booking/appointments', as: 'patient', json: { offeringId: off, start }, headers: { 'idempotency-key': 'k'.repeat(201) }, status: 400 },
      { name: 'bad appointment status filter', method: 'GET', target: '/api/v1/booking/appointments?status=lost', as: 'patient', status: 400, fields: ['query/status'] },
      { name: 'cancel reason not a string', method: 'POST', target: `/api/v1/booking/appointments/${randomUUID()}/cancel`, as: 'patient', json: { reason: 5 }, status: 400, fields: ['body/reason'] },
      { name: 'unknown time zone', method: 'PUT', target: '/api/v1/booking/availability', as: 'provider', json: { ...WEEKLY_HOURS, timeZone: 'Mars/Olympus_Mons' }, status: 400, code: 'BOOKING_INVALID_AVAILABILITY' },
      {
        name: 'overlapping intervals',
        method: 'PUT',
        target: '/api/v1/booking/availability',
        as: 'provider',
        json: { timeZone: ROME_ZONE, weekly: [{ day: 'mon', start: '09:00', end: '12:00' }, { day: 'mon', start: '11:00', end: '13:00' }] },
        status: 400,
        code: 'BOOKING_INVALID_AVAILABILITY',
      },
      { name: 'unknown weekday', method: 'PUT', target: '/api/v1/booking/availability', as: 'provider', json: { timeZone: ROME_ZONE, weekly: [{ day: 'funday', start: '09:00', end: '12:00' }] }, status: 400, fields: ['body/weekly/0/day'] },
      // paths that try to leave their prefix, or go nowhere
      { name: 'dot-dot segment', method: 'GET', target: '/api/v1/booking/../auth/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'encoded dot-dot', method: 'GET', target: '/api/v1/booking/%2e%2e/auth/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'upper-case encoded dot-dot', method: 'GET', target: '/api/v1/catalog/%2E%2E/%2E%2E/internal/profiles/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'double-encoded dot-dot', method: 'GET', target: '/api/v1/booking/%252e%252e/auth/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'dot-dot into internal routes', method: 'PUT', target: '/api/v1/users/../../internal/profiles/me', json: {}, status: 400, code: 'BAD_REQUEST' },
      { name: 'encoded slash', method: 'GET', target: '/api/v1/booking%2f..%2fauth/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'empty segment', method: 'GET', target: '/api/v1//booking/slots', status: 400, code: 'BAD_REQUEST' },
      { name: 'backslash', method: 'GET', target: '/api/v1/booking\\..\\auth/me', status: 400, code: 'BAD_REQUEST' },
      { name: 'internal route', method: 'PUT', target: '/internal/profiles/me', as: 'patient', json: {}, status: 404 },
      { name: 'unknown prefix', method: 'GET', target: '/api/v1/nothing-here', status: 404 },
      { name: 'wrong method on a known path', method: 'DELETE', target: '/api/v1/users/me', as: 'patient', status: 405, code: 'METHOD_NOT_ALLOWED' },
    ];

    const errorsBefore = e2e.launcherLog.filter((l) => l.startsWith('error:')).length;
    const failures: string[] = [];
    const tokens = { patient: patient.accessToken, provider: setup.provider.accessToken };
    for (const c of cases) {
      const res = await api.call(c.method, c.target, { token: c.as ? tokens[c.as] : undefined, json: c.json, raw: c.raw, headers: c.headers });
      const problems: string[] = [];
      if (res.status >= 500) problems.push(`a ${res.status}`);
      if (res.status !== c.status) problems.push(`status ${res.status}, expected ${c.status}`);
      if (!isProblem(res)) problems.push(`not problem+json (${res.contentType})`);
      if (c.code && res.body?.code !== c.code) problems.push(`code ${res.body?.code}, expected ${c.code}`);
      for (const f of c.fields ?? []) if (!fieldsOf(res).includes(f)) problems.push(`errors[] lacks ${f} (has ${fieldsOf(res).join(', ') || 'none'})`);
      if (problems.length > 0) failures.push(`${c.name} (${c.method} ${c.target.slice(0, 100)}): ${problems.join('; ')} :: ${res.text.slice(0, 300)}`);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    // and no service logged an error for any of it
    expect(e2e.launcherLog.filter((l) => l.startsWith('error:')).slice(errorsBefore)).toEqual([]);

    // none of it changed anything: the provider's hours and the patient's list are intact
    expect(expectStatus(await api.get('/api/v1/booking/availability', bearer(setup.provider)), 200).body.timeZone).toBe(ROME_ZONE);
    expect(expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body.items).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------
describe('API documentation', () => {
  it('/docs answers HTML and /docs/openapi.json holds the paths of every service', async () => {
    const html = await api.get('/docs', { headers: { accept: 'text/html' } });
    expect(html.status).toBe(200);
    expect(html.contentType).toMatch(/^text\/html/);
    expect(html.text).toMatch(/<html/i);

    const doc = expectStatus(await api.get('/docs/openapi.json'), 200).body;
    expect(doc.openapi).toMatch(/^3\.1/);
    const paths = Object.keys(doc.paths);
    for (const p of [
      '/api/v1/auth/register',
      '/api/v1/auth/login',
      '/api/v1/auth/refresh',
      '/api/v1/users/me',
      '/api/v1/providers/{id}',
      '/api/v1/catalog/services',
      '/api/v1/catalog/search',
      '/api/v1/catalog/offerings',
      '/api/v1/catalog/offerings/{id}',
      '/api/v1/booking/availability',
      '/api/v1/booking/slots',
      '/api/v1/booking/appointments',
      '/api/v1/booking/appointments/{id}/cancel',
      '/api/v1/notifications/me',
      '/api/v1/notifications',
    ]) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => p.startsWith('/internal'))).toEqual([]);
    expect(doc['x-healthmatch-services']).toEqual({ auth: 'ok', users: 'ok', catalog: 'ok', booking: 'ok', notifications: 'ok' });
    expect(doc.info.description).not.toMatch(/Incomplete/);

    const status = expectStatus(await api.get('/status'), 200).body;
    expect(status).toEqual({ status: 'ok', services: { auth: 'ready', users: 'ready', catalog: 'ready', booking: 'ready', notifications: 'ready' } });
  });
});

// ------------------------------------------------------------------------------------
describe('concurrency: one slot, fifty patients', () => {
  let setup: Awaited<ReturnType<typeof providerWithOffering>>;
  let patients: Account[];
  let slots: { start: string; end: string }[];

  beforeAll(async () => {
    setup = await providerWithOffering(api, 'Centro Affollato');
    // bounded: registration hashes a password (argon2id) and calls the users service
    patients = await mapLimit(
      Array.from({ length: 50 }, (_, i) => i),
      8,
      (i) => registerPatient(api, 'Paziente', `Numero ${i + 1}`),
    );
    slots = await freeSlots(api, setup.offering.id);
  }, 180_000);

  async function bookedAt(start: string): Promise<Json[]> {
    const agenda = expectStatus(await api.get('/api/v1/booking/appointments?status=booked&limit=100', bearer(setup.provider)), 200).body;
    return agenda.items.filter((a: Json) => a.start === start);
  }

  it('50 concurrent bookings through the gateway: exactly one 201 and 49 409 BOOKING_SLOT_TAKEN', { timeout: 120_000 }, async () => {
    const start = slots[12]!.start;
    const results = await Promise.all(patients.map((p) => book(api, p, setup.offering.id, start)));
    const t = tally(results);
    console.log(`e2e: 50 concurrent bookings of one slot through the gateway: ${JSON.stringify(t)}`);
    expect(t).toEqual({ '201': 1, '409 BOOKING_SLOT_TAKEN': 49 });
    for (const r of results.filter((x) => x.status === 409)) expectProblem(r, 409, 'BOOKING_SLOT_TAKEN');
    const winner = results.findIndex((r) => r.status === 201);
    const stored = await bookedAt(start);
    expect(stored).toHaveLength(1);
    expect(stored[0].patientId).toBe(patients[winner]!.id);
    expect((await freeSlots(api, setup.offering.id)).map((s) => s.start)).not.toContain(start);
  });

  it('a 60-minute visit of another offering that overlaps the booked half hour is refused too', async () => {
    const service = await findService(api, 'visita cardiologica controllo', /^E2E\.2$/);
    const long = expectStatus(
      await api.post('/api/v1/catalog/offerings', {
        ...bearer(setup.provider),
        json: { serviceId: service.id, price: { amount: 7000, currency: 'EUR' }, durationMinutes: 60, modality: 'telehealth' },
      }),
      201,
    ).body;
    const taken = slots[12]!; // booked above: [start, start+30)
    const longSlots = await freeSlots(api, long.id);
    const overlapping = longSlots.filter((s) => s.start < taken.end && taken.start < s.end);
    expect(overlapping).toEqual([]);
    // a start on the 60-minute grid whose hour covers the booked half hour
    const hourStart = DateTime.fromISO(taken.start, { zone: ROME_ZONE });
    const gridStart = hourStart.minus({ minutes: (hourStart.hour * 60 + hourStart.minute - (hourStart.hour >= 14 ? 14 * 60 : 9 * 60)) % 60 });
    const res = await book(api, patients[0]!, long.id, gridStart.toUTC().toISO()!);
    expect(res.status).toBe(409);
    expectProblem(res, 409, 'BOOKING_SLOT_TAKEN');
  });

  it('two booking processes on one database: 50 concurrent bookings split across both, still exactly one 201', { timeout: 180_000 }, async () => {
    const second = await e2e.platform.spawnService('booking', { id: 'booking#2' });
    try {
      const first = client(e2e.platform.urls.booking!);
      const other = client(second.url);
      // both processes are live and agree on what is booked
      for (const c of [first, other]) expect((await freeSlots(c, setup.offering.id)).length).toBe((await freeSlots(api, setup.offering.id)).length);

      const start = slots[40]!.start;
      const results = await Promise.all(patients.map((p, i) => book(i % 2 === 0 ? first : other, p, setup.offering.id, start)));
      const t = tally(results);
      const winner = results.findIndex((r) => r.status === 201);
      const perProcess = { booking: tally(results.filter((_, i) => i % 2 === 0)), 'booking#2': tally(results.filter((_, i) => i % 2 === 1)) };
      console.log(`e2e: 50 concurrent bookings of one slot across two booking processes: ${JSON.stringify(t)}; per process ${JSON.stringify(perProcess)}`);
      expect(t).toEqual({ '201': 1, '409 BOOKING_SLOT_TAKEN': 49 });
      const stored = await bookedAt(start);
      expect(stored).toHaveLength(1);
      expect(stored[0].patientId).toBe(patients[winner]!.id);

      // and an idempotent retry lands on the other process: same appointment
      const key = `cross-process-${randomUUID()}`;
      const s2 = slots[41]!.start;
      const viaFirst = expectStatus(await book(first, patients[1]!, setup.offering.id, s2, { 'idempotency-key': key }), 201).body;
      const viaSecond = await book(other, patients[1]!, setup.offering.id, s2, { 'idempotency-key': key });
      expectStatus(viaSecond, 201);
      expect(viaSecond.body.id).toBe(viaFirst.id);
      expect(viaSecond.headers['idempotent-replayed']).toBe('true');
    } finally {
      await second.stop();
    }
  });
});

// ------------------------------------------------------------------------------------
describe('the gateway rate limit on login and register', () => {
  it('a gateway with a low limit answers 429 problem+json with Retry-After, per route, and other routes still pass', { timeout: 120_000 }, async () => {
    const lowLimit = await e2e.platform.spawnService('gateway', { id: 'gateway-low-limit', env: { AUTH_RATE_LIMIT_MAX: '3', AUTH_RATE_LIMIT_WINDOW_SECONDS: '600' } });
    try {
      const gw = client(lowLimit.url);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await gw.post('/api/v1/auth/login', { json: { email: uniqueEmail('limited'), password: 'wrong password' } });
        statuses.push(res.status);
        if (i === 3) {
          expectProblem(res, 429, 'RATE_LIMITED');
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
      // register counts separately: its first request still goes through
      const reg = await gw.post('/api/v1/auth/register', { json: { email: 'x' } });
      expectProblem(reg, 400, 'VALIDATION_FAILED');
      expect(expectStatus(await gw.get('/api/v1/catalog/specialties'), 200).body.items.length).toBeGreaterThan(0);
    } finally {
      await lowLimit.stop();
    }
  });
});

// ------------------------------------------------------------------------------------
// Last: it stops the platform's catalog process (the main one stays stopped; a new catalog
// process is then started on the same port and database).
describe('a service down: the catalog', () => {
  it('the gateway answers 502 problem+json for catalog routes, booking answers 502/503 for slots, and both recover', { timeout: 180_000 }, async () => {
    const { provider, offering } = await providerWithOffering(api, 'Studio Resiliente');
    const patient = await registerPatient(api, 'Resi', 'Liente');
    const start = (await freeSlots(api, offering.id))[0]!.start;

    const catalog = e2e.platform.processes.get('catalog');
    if (!catalog) throw new Error('no catalog process');
    const port = catalog.port;
    e2e.echoErrors = false; // the gateway and booking log the outage as errors: expected here
    await catalog.stop();
    expect(catalog.status).toBe('stopped');

    for (const target of ['/api/v1/catalog/search?q=cardiologica', `/api/v1/catalog/offerings/${offering.id}`, '/api/v1/catalog/specialties']) {
      expectProblem(await api.get(target), 502, 'BAD_GATEWAY');
    }
    expectProblem(
      await api.patch(`/api/v1/catalog/offerings/${offering.id}`, { ...bearer(provider), json: { active: false } }),
      502,
      'BAD_GATEWAY',
    );
    const slots = await api.get(`/api/v1/booking/slots?offeringId=${offering.id}&from=${WEEK_AHEAD.from}&to=${WEEK_AHEAD.to}`);
    expect([502, 503]).toContain(slots.status);
    expectProblem(slots, slots.status);
    if (slots.status === 503) expect(slots.headers['retry-after']).toBeDefined();
    const booking = await book(api, patient, offering.id, start);
    expect([502, 503]).toContain(booking.status);
    expectProblem(booking, booking.status);
    console.log(`e2e: catalog down: gateway 502 on catalog routes; slots ${slots.status} ${slots.body.code}; book ${booking.status} ${booking.body.code}`);
    // booking never books on a guess
    expect(expectStatus(await api.get('/api/v1/booking/appointments', bearer(patient)), 200).body.items).toEqual([]);
    // the rest of the platform still answers
    expectStatus(await api.get(`/api/v1/providers/${provider.id}`), 200);
    expectStatus(await api.get('/api/v1/booking/availability', bearer(provider)), 200);
    const status = await eventually(() => api.get('/status'), (r) => r.status === 503);
    expectProblem(status, 503, 'SERVICE_UNAVAILABLE');
    expect(status.body.services).toMatchObject({ catalog: 'unavailable', booking: 'ready', auth: 'ready', users: 'ready' });
    // the API docs still answer (the catalog's part from the gateway's cache, or marked missing)
    const doc = expectStatus(await api.get('/docs/openapi.json'), 200).body;
    expect(Object.keys(doc.paths)).toContain('/api/v1/booking/slots');

    // back: a catalog process on the same port and database
    const again = await e2e.platform.spawnService('catalog', { id: 'catalog-restarted', port });
    expect(again.status).toBe('ready');
    const search = expectStatus(await api.get('/api/v1/catalog/search?q=resiliente&limit=100'), 200).body;
    expect(search.items.map((h: Json) => h.offeringId)).toContain(offering.id);
    expect((await freeSlots(api, offering.id)).map((s) => s.start)).toContain(start);
    expectStatus(await book(api, patient, offering.id, start), 201);
    expectStatus(await eventually(() => api.get('/status'), (r) => r.status === 200), 200);
  });
});

describe('events: booking publishes through the outbox relay and the PostgreSQL transport', () => {
  let transport: EventTransport | undefined;
  let subscription: Subscription | undefined;
  const received: CloudEvent[] = [];

  beforeAll(async () => {
    const url = e2e.platform.databaseUrls.events;
    if (!url) throw new Error('the launcher passed no events database (is AMQP_URL set?)');
    transport = await createPostgresTransport({ url, pollMs: 100 });
    subscription = await transport.subscribe({
      consumer: 'e2e-probe',
      types: [EventTypes.appointmentBooked, EventTypes.appointmentCancelled],
      handler: async (event) => {
        received.push(event);
      },
    });
  }, 60_000);
  afterAll(async () => {
    await subscription?.close();
    await transport?.close();
  }, 60_000);

  async function arrived(type: string, subject: string): Promise<CloudEvent> {
    for (let i = 0; i < 120; i++) {
      const found = received.find((e) => e.type === type && e.subject === subject);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${type} for ${subject} did not arrive within 30 s; got ${received.map((e) => `${e.type}/${e.subject}`).join(', ') || 'nothing'}`);
  }

  it('a booking through the gateway arrives as booked.v1, its cancellation as cancelled.v1', { timeout: 90_000 }, async () => {
    const { offering } = await providerWithOffering(api, 'Ambulatorio Eventi');
    const patient = await registerPatient(api, 'Elena', 'Eventi');
    const start = (await freeSlots(api, offering.id))[3]!.start;
    const a = expectStatus(await book(api, patient, offering.id, start), 201).body;

    const booked = await arrived(EventTypes.appointmentBooked, a.id);
    expect(booked.source).toBe(EventSources.booking);
    expect(compileSchemaCheck(AppointmentBookedV1).check(booked.data)).toBe(true);
    expect(booked.data).toMatchObject({ appointmentId: a.id, patientId: patient.id, offeringId: offering.id, status: 'booked' });

    expectStatus(await api.post(`/api/v1/booking/appointments/${a.id}/cancel`, { ...bearer(patient), json: { reason: 'Impegno di lavoro' } }), 200);
    const cancelled = await arrived(EventTypes.appointmentCancelled, a.id);
    expect(compileSchemaCheck(AppointmentCancelledV1).check(cancelled.data)).toBe(true);
    expect(cancelled.data).toMatchObject({ appointmentId: a.id, status: 'cancelled', cancelledBy: 'patient' });
    expect(JSON.stringify(cancelled)).not.toContain('Impegno di lavoro');
    expect(received.filter((e) => e.subject === a.id)).toHaveLength(2);
  });
});

describe('notifications: mail for bookings made through the gateway (embedded default: .eml files)', () => {
  // The invite as the mail client sees it (mailparser decodes the text/calendar part).
  const calendarOf = (m: MailFile) => m.parsed.attachments.find((x) => x.contentType === 'text/calendar')?.content.toString('utf8').replace(/\r\n[ \t]/g, '') ?? '';
  const uidOf = (m: MailFile) => /^UID:(\S+)/m.exec(calendarOf(m))?.[1];
  const methodOf = (m: MailFile) => /^METHOD:(\S+)/m.exec(calendarOf(m))?.[1];

  it('the patient gets a confirmation with the invite, the provider a notice; a cancellation follows with the same UID', { timeout: 120_000 }, async () => {
    const { provider, offering } = await providerWithOffering(api, 'Studio Posta Prova');
    const patient = await registerPatient(api, 'Marta', 'Posta');
    const start = (await freeSlots(api, offering.id))[5]!.start;
    const a = expectStatus(await book(api, patient, offering.id, start), 201).body;

    const [confirmation] = await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(a.id));
    expect(confirmation!.parsed.subject).toMatch(/appuntamento/i);
    expect(confirmation!.parsed.subject).not.toMatch(/cardiolog/i); // no health detail in the subject
    expect(confirmation!.parsed.text).toMatch(/PRIMA VISITA CARDIOLOGICA/i);
    expect(confirmation!.parsed.text).toContain('Studio Posta Prova');
    expect(methodOf(confirmation!)).toBe('REQUEST');
    expect(uidOf(confirmation!)).toBe(`${a.id}@healthmatch`);
    expect(calendarOf(confirmation!)).toMatch(/^DTSTART;TZID=Europe\/Rome:\d{8}T\d{6}\r?$/m);
    await waitForMail(e2e.mailDir, provider.email, 1, (m) => (m.parsed.text ?? '').includes(a.id));

    // The delivery log through the gateway.
    const log = expectStatus(await api.get('/api/v1/notifications/me', { token: patient.accessToken }), 200).body;
    const entry = log.items.find((i: Json) => i.kind === 'appointment.confirmation' && i.appointmentId === a.id);
    // attempts is 2 when the booking overtook the registration event (the first attempt found
    // no address yet; the registration released the message at once).
    expect(entry).toMatchObject({ status: 'sent', lastError: null, toAddress: patient.email, messageId: confirmation!.parsed.messageId });
    expect(entry.attempts).toBeGreaterThanOrEqual(1);
    expect(entry.attempts).toBeLessThanOrEqual(2);
    expectProblem(await api.get('/api/v1/notifications/me'), 401);

    expectStatus(await api.post(`/api/v1/booking/appointments/${a.id}/cancel`, { ...bearer(patient), json: {} }), 200);
    const [cancellation] = await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(a.id) && methodOf(m) === 'CANCEL');
    expect(uidOf(cancellation!)).toBe(`${a.id}@healthmatch`);
    await waitForMail(e2e.mailDir, provider.email, 2, (m) => (m.parsed.text ?? '').includes(a.id));
  });

  it('a patient who switches their profile to English gets the next confirmation in English', { timeout: 120_000 }, async () => {
    const { offering } = await providerWithOffering(api, 'Studio Lingua Prova');
    const patient = await registerPatient(api, 'Paola', 'Lingua');
    const slots = await freeSlots(api, offering.id);
    const first = expectStatus(await book(api, patient, offering.id, slots[2]!.start), 201).body;
    const [italian] = await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(first.id));
    expect(italian!.parsed.subject).toMatch(/appuntamento/i);

    expect(expectStatus(await api.patch('/api/v1/users/me', { ...bearer(patient), json: { locale: 'en' } }), 200).body.locale).toBe('en');
    // The change travels as users.profile.updated.v1; once notifications has it, the next
    // booking is told in English.
    const notifications = new pg.Client({ connectionString: e2e.platform.databaseUrls.notifications });
    await notifications.connect();
    try {
      await vi.waitFor(
        async () => expect((await notifications.query('select locale from locale_changes where user_id = $1', [patient.id])).rows[0]?.locale).toBe('en'),
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      await notifications.end();
    }
    const second = expectStatus(await book(api, patient, offering.id, slots[3]!.start), 201).body;
    const [english] = await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(second.id));
    expect(english!.parsed.subject).toMatch(/your appointment/i);
  });

  it('the reminder goes out when the notifications clock reaches 24 hours before the visit', { timeout: 120_000 }, async () => {
    const { offering } = await providerWithOffering(api, 'Studio Promemoria Prova');
    const patient = await registerPatient(api, 'Rita', 'Promemoria');
    const slots = await freeSlots(api, offering.id);
    const start = slots[slots.length - 1]!.start; // days ahead: its 24-hour reminder is in the future
    const a = expectStatus(await book(api, patient, offering.id, start), 201).body;
    await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(a.id));
    const reminderLog = async () =>
      (expectStatus(await api.get(`/api/v1/notifications/me?appointmentId=${a.id}`, { token: patient.accessToken }), 200).body.items as Json[]).find(
        (i) => i.kind === 'appointment.reminder',
      );
    expect(await reminderLog()).toMatchObject({ status: 'scheduled', reminderOffsetMinutes: 1440 });

    // Move the notifications clock to one minute past the reminder's moment.
    const offsetSeconds = Math.ceil((Date.parse(start) - 24 * 3600_000 + 60_000 - Date.now()) / 1000);
    await writeFile(e2e.clockOffsetFile, String(offsetSeconds));
    try {
      const [reminder] = await waitForMail(e2e.mailDir, patient.email, 1, (m) => (m.parsed.text ?? '').includes(a.id) && /promemoria/i.test(m.parsed.subject ?? ''));
      expect(methodOf(reminder!)).toBeUndefined(); // a reminder carries no invite
      expect(await reminderLog()).toMatchObject({ status: 'sent', attempts: 1 });
    } finally {
      await writeFile(e2e.clockOffsetFile, '0');
    }
  });
});
