import { ConfigError, createDatabase, createFieldCipher, generateFieldKey, parseFieldKeyRing } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { patientInput, providerInput } from '../test-support/fixtures.ts';
import { startHarness, TEST_FIELD_KEYS, type Harness } from '../test-support/harness.ts';
import { createProfileRepository } from './profile-repository.ts';
import { schema } from './schema.ts';

const PLAINTEXTS = ['mario.rossi@example.it', 'Rossi', '+39 333 1234567', '1980-02-29', 'studio.bianchi@example.it'];

describe('sensitive fields at rest', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('users_crypto');
  });
  afterAll(() => h.close());

  async function register(app: Awaited<ReturnType<Harness['app']>>, role: 'patient' | 'provider') {
    const a = await h.account(role);
    const res = await app.inject({ method: 'PUT', url: '/internal/profiles/me', headers: a.auth, payload: role === 'patient' ? patientInput() : providerInput() });
    expect(res.statusCode).toBe(201);
    return a;
  }

  it('stores e-mail, last name, phone and birth date only as envelopes; public data in clear', async () => {
    const app = await h.app();
    const a = await register(app, 'patient');
    const p = await register(app, 'provider');
    const patient = (await h.raw.query('select * from patient_profiles where id = $1', [a.id])).rows[0];
    const provider = (await h.raw.query('select * from provider_profiles where id = $1', [p.id])).rows[0];
    for (const col of ['email_enc', 'last_name_enc', 'phone_enc', 'birth_date_enc']) expect(patient[col]).toMatch(/^v1:t1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(provider.email_enc).toMatch(/^v1:t1:/);
    const dump = JSON.stringify([patient, provider]);
    for (const secret of PLAINTEXTS) expect(dump).not.toContain(secret);
    expect(patient.first_name).toBe('Mario');
    expect(provider).toMatchObject({ display_name: 'Studio Medico Bianchi', city: 'Roma', kind: 'practitioner', languages: ['it', 'en'], lat: 41.9028, demo: false });
  });

  it('refuses plaintext in an encrypted column at the database', async () => {
    await expect(
      h.raw.query(`insert into patient_profiles (id, email_enc, first_name, last_name_enc) values (gen_random_uuid(), 'plain@example.it', 'A', 'v1:k:x:y:z')`),
    ).rejects.toMatchObject({ code: '23514' });
  });

  it('does not open a value copied into another row', async () => {
    const app = await h.app();
    const a = await register(app, 'patient');
    const b = await register(app, 'patient');
    await h.raw.query('update patient_profiles set phone_enc = (select phone_enc from patient_profiles where id = $1) where id = $2', [a.id, b.id]);
    const res = await app.inject({ url: '/api/v1/users/me', headers: b.auth });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('+39');
    expect((await app.inject({ url: '/api/v1/users/me', headers: a.auth })).statusCode).toBe(200);
    await h.raw.query('delete from patient_profiles where id = $1', [b.id]);
  });

  it('rotates keys: old rows stay readable, writes move to the new key, the command finishes the rest', async () => {
    const t2 = `t2:${generateFieldKey()}`;
    const before = await h.app();
    const moved = await register(before, 'patient');
    const untouched = await register(before, 'provider');

    const rotated = await h.app({ FIELD_ENCRYPTION_KEYS: `${t2},${TEST_FIELD_KEYS}` });
    const read = await rotated.inject({ url: '/api/v1/users/me', headers: untouched.auth });
    expect(read.statusCode).toBe(200);
    expect(read.json().email).toBe('studio.bianchi@example.it');
    expect((await rotated.inject({ method: 'PATCH', url: '/api/v1/users/me', headers: moved.auth, payload: { locale: 'it' } })).statusCode).toBe(200);
    const row = (await h.raw.query('select * from patient_profiles where id = $1', [moved.id])).rows[0];
    for (const col of ['email_enc', 'last_name_enc', 'phone_enc', 'birth_date_enc']) expect(row[col]).toMatch(/^v1:t2:/);

    // Dropping t1 before every row has moved stops the start-up with the missing id named.
    await expect(h.app({ FIELD_ENCRYPTION_KEYS: t2 })).rejects.toThrow(/"t1"/);
    await expect(h.app({ FIELD_ENCRYPTION_KEYS: t2 })).rejects.toBeInstanceOf(ConfigError);

    const database = createDatabase(h.tdb.url, schema, { max: 2 });
    try {
      const repo = createProfileRepository(database.db, createFieldCipher(parseFieldKeyRing(`${t2},${TEST_FIELD_KEYS}`)));
      let total = 0;
      for (let n = await repo.reencryptBatch(1); n > 0; n = await repo.reencryptBatch(1)) total += n;
      expect(total).toBeGreaterThan(0);
      expect(await repo.keyIdsInUse()).toEqual(['t2']);
    } finally {
      await database.close();
    }
    const after = await h.app({ FIELD_ENCRYPTION_KEYS: t2 });
    expect((await after.inject({ url: '/api/v1/users/me', headers: untouched.auth })).json().email).toBe('studio.bianchi@example.it');
    expect((await after.inject({ url: '/api/v1/users/me', headers: moved.auth })).json()).toMatchObject({ lastName: 'Rossi', phone: '+39 333 1234567', locale: 'it' });
  });
});

describe('without FIELD_ENCRYPTION_KEYS', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('users_localkey');
  });
  afterAll(() => h.close());

  it('generates one local key on first start, keeps using it, and names it if the variable is set later', async () => {
    const first = await h.app({});
    const a = await h.account('patient');
    expect((await first.inject({ method: 'PUT', url: '/internal/profiles/me', headers: a.auth, payload: patientInput() })).statusCode).toBe(201);
    const keys = (await h.raw.query('select id, key_material from local_field_keys')).rows;
    expect(keys).toHaveLength(1);
    expect(Buffer.from(keys[0].key_material, 'base64')).toHaveLength(32);
    const row = (await h.raw.query('select phone_enc from patient_profiles where id = $1', [a.id])).rows[0];
    expect(row.phone_enc).toMatch(/^v1:local:/);

    // A restart (and a second replica) reuse the stored key.
    const [second, third] = await Promise.all([h.app({}), h.app({})]);
    expect((await second.inject({ url: '/api/v1/users/me', headers: a.auth })).json().phone).toBe('+39 333 1234567');
    expect((await third.inject({ url: '/api/v1/users/me', headers: a.auth })).statusCode).toBe(200);
    expect((await h.raw.query('select count(*)::int as n from local_field_keys')).rows[0].n).toBe(1);

    // Production keys set later: the start-up refuses until the local key is listed too.
    await expect(h.app({ FIELD_ENCRYPTION_KEYS: TEST_FIELD_KEYS })).rejects.toThrow(/"local".*local_field_keys/s);
    const withLocal = await h.app({ FIELD_ENCRYPTION_KEYS: `${TEST_FIELD_KEYS},local:${keys[0].key_material}` });
    expect((await withLocal.inject({ url: '/api/v1/users/me', headers: a.auth })).json().birthDate).toBe('1980-02-29');
  });
});
