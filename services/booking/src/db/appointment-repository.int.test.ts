// The database itself refuses double booking: these tests go around the use case (which
// checks first) and write overlapping appointments straight through the repository and SQL.
import { runMigrations } from '@healthmatch/platform';
import { createTestDatabase, type TestDatabase } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewAppointment } from '../domain/ports.ts';
import { MIGRATIONS, newId, openDatabase, testFieldCipher } from '../test-support/harness.ts';
import { appointmentRepository } from './appointment-repository.ts';
import type { BookingDatabase } from './database.ts';

const at = (iso: string) => new Date(iso);

function appointment(providerId: string, start: string, minutes: number, patientId = newId()): NewAppointment {
  const s = at(start);
  return {
    providerId,
    patientId,
    offeringId: newId(),
    serviceId: newId(),
    serviceName: 'Visita',
    modality: 'in_person',
    price: { amount: 4500, currency: 'EUR' },
    durationMinutes: minutes,
    timeZone: 'Europe/Rome',
    start: s,
    end: new Date(s.getTime() + minutes * 60_000),
    createdAt: at('2026-03-01T00:00:00Z'),
  };
}

describe('appointment repository on PostgreSQL', () => {
  let tdb: TestDatabase;
  let database: BookingDatabase;
  beforeAll(async () => {
    tdb = await createTestDatabase('booking_repo');
    await runMigrations(tdb.url, MIGRATIONS, 'booking');
    await runMigrations(tdb.url, MIGRATIONS, 'booking'); // a second run is a no-op
    database = openDatabase(tdb.url);
  });
  afterAll(async () => {
    await database.close();
    await tdb.drop();
  });

  it('refuses an overlapping appointment of the same provider, of any length', async () => {
    const repo = appointmentRepository(database, testFieldCipher());
    const provider = newId();
    const first = await repo.insert(appointment(provider, '2026-03-02T08:00:00Z', 60));
    expect(first.kind).toBe('created');
    expect((await repo.insert(appointment(provider, '2026-03-02T08:30:00Z', 30))).kind).toBe('slot-taken');
    expect((await repo.insert(appointment(provider, '2026-03-02T07:45:00Z', 30))).kind).toBe('slot-taken');
    // [start, end): touching is not overlapping
    expect((await repo.insert(appointment(provider, '2026-03-02T09:00:00Z', 30))).kind).toBe('created');
    expect((await repo.insert(appointment(provider, '2026-03-02T07:30:00Z', 30))).kind).toBe('created');
    // another provider at the same time is fine
    expect((await repo.insert(appointment(newId(), '2026-03-02T08:00:00Z', 60))).kind).toBe('created');
  });

  it('is the constraint, not the code: raw SQL gets SQLSTATE 23P01 too', async () => {
    const provider = newId();
    const insert = (start: string, status = 'booked') =>
      database.pool.query(
        `insert into appointments (id, status, provider_id, patient_id, offering_id, service_id, service_name, modality, price_amount, price_currency,
           duration_minutes, time_zone, start_at, end_at, created_at, cancelled_at, cancelled_by)
         values ($1, $2, $3, $4, $4, $4, 'x', 'in_person', 100, 'EUR', 30, 'UTC', $5::timestamptz, $5::timestamptz + interval '30 minutes', now(),
           case when $2 = 'cancelled' then now() end, case when $2 = 'cancelled' then 'patient' end)`,
        [newId(), status, provider, newId(), start],
      );
    await insert('2026-03-03T08:00:00Z');
    await expect(insert('2026-03-03T08:10:00Z')).rejects.toMatchObject({ code: '23P01', constraint: 'appointments_no_overlap' });
    // cancelled rows are outside the constraint
    await insert('2026-03-03T08:10:00Z', 'cancelled');
  });

  it('frees the time when an appointment is cancelled', async () => {
    const repo = appointmentRepository(database, testFieldCipher());
    const provider = newId();
    const a = appointment(provider, '2026-03-04T08:00:00Z', 30);
    const created = await repo.insert(a);
    if (created.kind !== 'created') throw new Error('expected created');
    const cancelled = await repo.cancel(created.appointment.id, { id: a.patientId, role: 'patient' }, at('2026-03-01T00:00:00Z'), null);
    expect(cancelled.kind).toBe('cancelled');
    expect((await repo.insert(appointment(provider, '2026-03-04T08:00:00Z', 30))).kind).toBe('created');
    expect(await repo.busyIntervals(provider, at('2026-03-04T00:00:00Z'), at('2026-03-05T00:00:00Z'))).toHaveLength(1);
  });

  it('writes an idempotency key and its appointment together, or neither', async () => {
    const repo = appointmentRepository(database, testFieldCipher());
    const provider = newId();
    const patient = newId();
    const first = await repo.insert(appointment(provider, '2026-03-05T08:00:00Z', 30, patient), { key: 'k-1', requestHash: 'h1' });
    expect(first.kind).toBe('created');
    // the same key again: refused before touching the appointments
    expect((await repo.insert(appointment(provider, '2026-03-05T10:00:00Z', 30, patient), { key: 'k-1', requestHash: 'h2' })).kind).toBe('key-taken');
    // a new key for a taken slot: the key row is rolled back with the refused appointment
    expect((await repo.insert(appointment(provider, '2026-03-05T08:00:00Z', 30, patient), { key: 'k-2', requestHash: 'h3' })).kind).toBe('slot-taken');
    expect(await repo.findIdempotency(patient, 'k-2')).toBeNull();
    const stored = await repo.findIdempotency(patient, 'k-1');
    expect(stored?.requestHash).toBe('h1');
    expect(stored?.appointment.id).toBe(first.kind === 'created' ? first.appointment.id : undefined);
    // keys are per patient
    expect(await repo.findIdempotency(newId(), 'k-1')).toBeNull();
    const { rows } = await database.pool.query('select count(*)::int as n from appointments where provider_id = $1', [provider]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps the copied fields and the checks honest', async () => {
    await expect(
      database.pool.query(
        `insert into appointments (id, status, provider_id, patient_id, offering_id, service_id, service_name, modality, price_amount, price_currency,
           duration_minutes, time_zone, start_at, end_at, created_at) values ($1, 'cancelled', $1, $1, $1, $1, 'x', 'x', 1, 'EUR', 30, 'UTC', now(), now() + interval '1 hour', now())`,
        [newId()],
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
