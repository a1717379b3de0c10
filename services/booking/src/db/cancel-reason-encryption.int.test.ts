// The cancellation reason at rest (docs/adr/0006): only an envelope of the kit's cipher in
// the table, bound to its row; the patient and the provider read it in clear through the
// API. Plus the key ring around it: local key, keys from the environment, rotation, and a
// database from before migration 0002 whose reasons were stored in clear.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Offering } from '@healthmatch/contracts';
import { ConfigError, createFieldCipher, generateFieldKey, parseFieldKeyRing, runMigrations, type App } from '@healthmatch/platform';
import { bearer } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOffering, MIGRATIONS, newId, openDatabase, ROME_WEEKDAYS, startBookingTestEnv, TEST_FIELD_KEYS, type BookingTestEnv } from '../test-support/harness.ts';
import { appointmentRepository, cancelReasonKeyIdsInUse } from './appointment-repository.ts';
import type { BookingDatabase } from './database.ts';

const BASE = '/api/v1/booking/appointments';
const REASON = 'Chest pain got worse, admitted to cardiology at San Camillo';
const ENVELOPE = /^v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/;

interface Party {
  providerId: string;
  provider: string;
  patientId: string;
  patient: string;
  offering: Offering;
}

async function setUp(env: BookingTestEnv): Promise<Party> {
  const providerId = newId();
  const patientId = newId();
  const provider = await env.upstream.token(providerId, 'provider');
  const patient = await env.upstream.token(patientId, 'patient');
  const offering = makeOffering({ providerId, durationMinutes: 30 });
  env.upstream.offerings.set(offering.id, offering);
  const put = await env.app.inject({ method: 'PUT', url: '/api/v1/booking/availability', headers: bearer(provider), payload: ROME_WEEKDAYS });
  expect(put.statusCode).toBe(200);
  return { providerId, provider, patientId, patient, offering };
}

/** Books `start` for the party's patient and cancels it with `reason` (by the patient unless said otherwise). */
async function bookAndCancel(app: App, p: Party, start: string, reason: string | undefined, by: 'patient' | 'provider' = 'patient'): Promise<string> {
  const booked = await app.inject({ method: 'POST', url: BASE, headers: bearer(p.patient), payload: { offeringId: p.offering.id, start } });
  expect(booked.statusCode).toBe(201);
  const id = booked.json().id as string;
  const cancelled = await app.inject({ method: 'POST', url: `${BASE}/${id}/cancel`, headers: bearer(by === 'patient' ? p.patient : p.provider), ...(reason === undefined ? {} : { payload: { reason } }) });
  expect(cancelled.statusCode).toBe(200);
  expect(cancelled.json().cancelReason).toBe(reason ?? null);
  return id;
}

const get = (app: App, id: string, token: string) => app.inject({ url: `${BASE}/${id}`, headers: bearer(token) });

describe('cancellation reason at rest (local key: no FIELD_ENCRYPTION_KEYS)', () => {
  let env: BookingTestEnv;
  let raw: BookingDatabase;
  let p: Party;
  beforeAll(async () => {
    env = await startBookingTestEnv('booking_reason');
    raw = openDatabase(env.testDb.url);
    p = await setUp(env);
  });
  afterAll(async () => {
    await raw.close();
    await env.close();
  });

  const row = async (id: string) => (await raw.pool.query('select * from appointments where id = $1', [id])).rows[0];

  it('stores the reason only as an envelope bound to its row; its patient and provider read it in clear', async () => {
    const id = await bookAndCancel(env.app, p, '2026-03-03T08:00:00Z', REASON);

    const stored = await row(id);
    expect(stored.cancel_reason_enc).toMatch(ENVELOPE);
    expect(stored.cancel_reason_enc).toMatch(/^v1:local:/);
    expect(stored).not.toHaveProperty('cancel_reason');
    const dump = JSON.stringify((await raw.pool.query('select * from appointments')).rows);
    for (const word of [REASON, 'Chest pain', 'cardiology', 'San Camillo']) expect(dump).not.toContain(word);

    // It is the kit's cipher under the local key of this database, with the row as context.
    const [key] = (await raw.pool.query("select key_material from local_field_keys where id = 'local'")).rows;
    const cipher = createFieldCipher(parseFieldKeyRing(`local:${key.key_material}`));
    expect(cipher.decrypt(stored.cancel_reason_enc, `appointments.cancel_reason_enc:${id}`)).toBe(REASON);
    expect(() => cipher.decrypt(stored.cancel_reason_enc, `appointments.cancel_reason_enc:${newId()}`)).toThrow(/failed authentication/);

    for (const token of [p.patient, p.provider]) {
      const res = await get(env.app, id, token);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id, status: 'cancelled', cancelledBy: 'patient', cancelReason: REASON });
    }
    const agenda = await env.app.inject({ url: `${BASE}?from=2026-03-03&to=2026-03-03&status=cancelled`, headers: bearer(p.provider) });
    expect(agenda.json().items.find((a: { id: string }) => a.id === id)?.cancelReason).toBe(REASON);
    // Another patient still sees nothing of it.
    const stranger = await get(env.app, id, await env.upstream.token(newId(), 'patient'));
    expect(stranger.statusCode).toBe(404);
    expect(stranger.body).not.toContain('Chest');

    // No reason stays null; a second app on the same database (a replica) shares the local key.
    const silent = await bookAndCancel(env.app, p, '2026-03-03T08:30:00Z', undefined, 'provider');
    expect((await row(silent)).cancel_reason_enc).toBeNull();
    const replica = await env.secondApp();
    expect((await get(replica, id, p.patient)).json().cancelReason).toBe(REASON);
    expect((await raw.pool.query('select count(*)::int as n from local_field_keys')).rows[0].n).toBe(1);
  });

  it('refuses plaintext in the column at the database', async () => {
    const id = await bookAndCancel(env.app, p, '2026-03-03T09:00:00Z', 'x');
    await expect(raw.pool.query('update appointments set cancel_reason_enc = $2 where id = $1', [id, REASON])).rejects.toMatchObject({
      code: '23514',
      constraint: 'appointments_cancel_reason_enc_envelope',
    });
    await expect(raw.pool.query("update appointments set cancel_reason_enc = 'v1:local:x:y:z' where id = $1", [id])).rejects.toMatchObject({ code: '23514' });
  });

  it('does not open a reason copied into another row', async () => {
    const a = await bookAndCancel(env.app, p, '2026-03-03T09:30:00Z', REASON);
    const b = await bookAndCancel(env.app, p, '2026-03-03T10:00:00Z', 'Something else');
    await raw.pool.query('update appointments set cancel_reason_enc = (select cancel_reason_enc from appointments where id = $1) where id = $2', [a, b]);
    try {
      const res = await get(env.app, b, p.patient);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('Chest');
      expect((await get(env.app, a, p.patient)).json().cancelReason).toBe(REASON);
    } finally {
      await raw.pool.query('delete from appointments where id = $1', [b]);
    }
  });

  it('refuses to start with FIELD_ENCRYPTION_KEYS that leave out the local key, and starts when it is listed', async () => {
    await expect(env.appWith({ FIELD_ENCRYPTION_KEYS: TEST_FIELD_KEYS })).rejects.toThrow(/"local".*local_field_keys/s);
    const [key] = (await raw.pool.query("select key_material from local_field_keys where id = 'local'")).rows;
    const both = await env.appWith({ FIELD_ENCRYPTION_KEYS: `${TEST_FIELD_KEYS},local:${key.key_material}` });
    const id = (await raw.pool.query("select id from appointments where cancel_reason_enc like 'v1:local:%' limit 1")).rows[0].id;
    expect((await get(both, id, p.patient)).json().cancelReason).toBe(REASON);
    const fresh = await bookAndCancel(both, p, '2026-03-03T10:30:00Z', 'Sealed with t1');
    expect((await row(fresh)).cancel_reason_enc).toMatch(/^v1:t1:/);
  });
});

describe('cancellation reason with FIELD_ENCRYPTION_KEYS: rotation', () => {
  let env: BookingTestEnv;
  let raw: BookingDatabase;
  let p: Party;
  beforeAll(async () => {
    env = await startBookingTestEnv('booking_reason_keys', { env: { FIELD_ENCRYPTION_KEYS: TEST_FIELD_KEYS } });
    raw = openDatabase(env.testDb.url);
    p = await setUp(env);
  });
  afterAll(async () => {
    await raw.close();
    await env.close();
  });

  it('keeps old reasons readable, seals new ones under the new key, and the command moves the rest', async () => {
    const t2 = `t2:${generateFieldKey()}`;
    const old = await bookAndCancel(env.app, p, '2026-03-04T08:00:00Z', REASON);
    expect((await raw.pool.query('select cancel_reason_enc from appointments where id = $1', [old])).rows[0].cancel_reason_enc).toMatch(/^v1:t1:/);
    expect((await raw.pool.query("select to_regclass('local_field_keys') as t")).rows[0].t).toBeNull();

    const rotated = await env.appWith({ FIELD_ENCRYPTION_KEYS: `${t2},${TEST_FIELD_KEYS}` });
    expect((await get(rotated, old, p.provider)).json().cancelReason).toBe(REASON);
    const newer = await bookAndCancel(rotated, p, '2026-03-04T08:30:00Z', 'Moved abroad');
    expect((await raw.pool.query('select cancel_reason_enc from appointments where id = $1', [newer])).rows[0].cancel_reason_enc).toMatch(/^v1:t2:/);

    // Dropping t1 before every row has moved stops the start-up, naming the missing id.
    const early = await env.appWith({ FIELD_ENCRYPTION_KEYS: t2 }).catch((err: unknown) => err);
    expect(early).toBeInstanceOf(ConfigError);
    expect((early as Error).message).toMatch(/"t1".*cancellation reasons/s);

    const repo = appointmentRepository(raw, createFieldCipher(parseFieldKeyRing(`${t2},${TEST_FIELD_KEYS}`)));
    let total = 0;
    for (let n = await repo.reencryptBatch(1); n > 0; n = await repo.reencryptBatch(1)) total += n;
    expect(total).toBe(1);
    expect(await cancelReasonKeyIdsInUse(raw)).toEqual(['t2']);

    const after = await env.appWith({ FIELD_ENCRYPTION_KEYS: t2 });
    expect((await get(after, old, p.patient)).json().cancelReason).toBe(REASON);
    expect((await get(after, newer, p.patient)).json().cancelReason).toBe('Moved abroad');
  });
});

describe('a database from before migration 0002 (reasons in clear)', () => {
  let env: BookingTestEnv;
  let raw: BookingDatabase;
  let folder: string;
  const legacy = { id: newId(), providerId: newId(), patientId: newId() };
  const untouched = newId();

  /** The migrations folder as it was at 0001: its SQL files and a journal with the first two entries. */
  async function migrationsUpTo0001(): Promise<string> {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hm-booking-0001-'));
    await cp(MIGRATIONS, folder, { recursive: true });
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.filter((e) => e.tag.startsWith('0000_') || e.tag.startsWith('0001_'));
    expect(journal.entries).toHaveLength(2);
    await writeFile(journalFile, JSON.stringify(journal));
    return folder;
  }

  beforeAll(async () => {
    env = await startBookingTestEnv('booking_reason_legacy', {
      migrate: async (url) => {
        await runMigrations(url, await migrationsUpTo0001(), 'booking');
        const db = openDatabase(url);
        try {
          const insert = `insert into appointments (id, status, provider_id, patient_id, offering_id, service_id, service_name, modality, price_amount, price_currency,
              duration_minutes, time_zone, start_at, end_at, created_at, cancelled_at, cancelled_by, cancel_reason)
            values ($1, 'cancelled', $2, $3, $1, $1, 'Visita', 'in_person', 4500, 'EUR', 30, 'Europe/Rome', $4::timestamptz, $4::timestamptz + interval '30 minutes',
              now(), now(), 'patient', $5)`;
          await db.pool.query(insert, [legacy.id, legacy.providerId, legacy.patientId, '2026-03-05T08:00:00Z', REASON]);
          await db.pool.query(insert, [untouched, legacy.providerId, legacy.patientId, '2026-03-05T09:00:00Z', null]);
        } finally {
          await db.close();
        }
        await runMigrations(url, MIGRATIONS, 'booking');
      },
    });
    raw = openDatabase(env.testDb.url);
  });
  afterAll(async () => {
    await raw.close();
    await env.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('keeps the reason through the migration, seals it at the first start, and still answers it', async () => {
    const rows = (await raw.pool.query('select id, cancel_reason_enc from appointments order by start_at')).rows;
    expect(rows).toEqual([
      { id: legacy.id, cancel_reason_enc: expect.stringMatching(/^v1:local:/) },
      { id: untouched, cancel_reason_enc: null },
    ]);
    expect(JSON.stringify(rows)).not.toContain('Chest');
    const res = await get(env.app, legacy.id, await env.upstream.token(legacy.patientId, 'patient'));
    expect(res.statusCode).toBe(200);
    expect(res.json().cancelReason).toBe(REASON);
    // Every stored value now satisfies the CHECK that migration 0002 added as NOT VALID.
    await raw.pool.query('alter table appointments validate constraint appointments_cancel_reason_enc_envelope');
  });
});
