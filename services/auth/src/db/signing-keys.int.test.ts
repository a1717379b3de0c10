// Signing keys in PostgreSQL: one active key across replicas, persistence across
// restarts, rotation that keeps older tokens verifiable, encryption at rest.
import { ROLES } from '@healthmatch/contracts';
import { createDatabase, createFieldCipher, createTokenVerifier, generateFieldKey, parseFieldKeyRing, type App } from '@healthmatch/platform';
import { sql } from 'drizzle-orm';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenIssuer } from '../domain/access-tokens.ts';
import { KeyRing } from '../domain/key-ring.ts';
import { appOn, migratedDatabase, testConfig, type TestDb } from '../test-support.ts';
import { buildApp } from '../app.ts';
import * as schema from './schema.ts';
import { signingKeyStore } from './signing-key-repository.ts';

const verifierFor = async (app: App) =>
  createTokenVerifier(createLocalJWKSet((await app.inject({ url: '/.well-known/jwks.json' })).json()), {
    issuer: 'healthmatch-auth',
    audience: 'healthmatch',
    roles: ROLES,
  });

const subject = { id: '01900000-0000-7000-8000-000000000001', role: 'patient' };
const issuerOf = (keys: KeyRing) => new AccessTokenIssuer({ keys, issuer: 'healthmatch-auth', audience: 'healthmatch', ttlSeconds: 900 });

let db: TestDb;
beforeAll(async () => {
  db = await migratedDatabase('auth_keys');
});
afterAll(async () => {
  await db?.close();
});

async function keyRows(t: TestDb) {
  const r = await t.database.db.execute(sql`select kid, active, private_key, encryption_key_id from signing_keys order by created_at`);
  return r.rows as Array<{ kid: string; active: boolean; private_key: string; encryption_key_id: string | null }>;
}

describe('signing keys across replicas and restarts', () => {
  it('ends with exactly one active key when two replicas start together, and keeps it across restarts', async () => {
    // Two replicas: separate pools on the same database, loading concurrently.
    const second = createDatabase(db.tdb.url, schema, { max: 5 });
    const a = await appOn(db, {});
    const b = await buildApp(testConfig({ DATABASE_URL: db.tdb.url }), { database: second, logger: false });
    try {
      await Promise.all([a.keyRing.load(), b.keyRing.load(), a.keyRing.load(), b.keyRing.load()]);
      const rows = await keyRows(db);
      expect(rows.filter((r) => r.active)).toHaveLength(1);
      expect(rows).toHaveLength(1);
      const jwksA = (await a.inject({ url: '/.well-known/jwks.json' })).json();
      expect((await b.inject({ url: '/api/v1/auth/jwks' })).json()).toEqual(jwksA);

      // A token from one replica verifies with the other's JWKS.
      const token = (await issuerOf(a.keyRing).issue(subject)).token;
      expect(await (await verifierFor(b)).verify(token)).toEqual(subject);
    } finally {
      await a.close();
      await b.close();
      await second.close();
    }

    // A restart (a new instance on the same database) signs with the same key: nobody is logged out.
    const restarted = await appOn(db, {});
    try {
      const rows = await keyRows(db);
      expect((await restarted.keyRing.signingKey()).kid).toBe(rows[0]!.kid);
      expect(await keyRows(db)).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  });

  it('stores the private key as a JWK and never publishes it', async () => {
    const [row] = await keyRows(db);
    expect(JSON.parse(row!.private_key)).toMatchObject({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) });
    const app = await appOn(db, {});
    try {
      expect((await app.inject({ url: '/.well-known/jwks.json' })).body).not.toContain('"d"');
    } finally {
      await app.close();
    }
  });
});

describe('rotation', () => {
  it('signs with the new key while tokens of the previous key still verify until they expired', async () => {
    const app = await appOn(db, {});
    try {
      const before = await issuerOf(app.keyRing).issue(subject);
      const oldKid = decodeProtectedHeader(before.token).kid;
      const newKid = await app.keyRing.rotate();
      expect(newKid).not.toBe(oldKid);

      const after = await issuerOf(app.keyRing).issue(subject);
      expect(decodeProtectedHeader(after.token).kid).toBe(newKid);
      const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json();
      expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([newKid, oldKid]);

      const verifier = await verifierFor(app);
      expect(await verifier.verify(before.token)).toEqual(subject);
      expect(await verifier.verify(after.token)).toEqual(subject);

      const rows = await keyRows(db);
      expect(rows.filter((r) => r.active).map((r) => r.kid)).toEqual([newKid]);

      // Once its last token has expired, the retired key leaves the JWKS.
      await db.database.db.execute(sql`update signing_keys set verify_until = now() - interval '1 second' where kid = ${oldKid!}`);
      const fresh = await appOn(db, {});
      try {
        const later = (await fresh.inject({ url: '/.well-known/jwks.json' })).json();
        expect(later.keys.map((k: { kid: string }) => k.kid)).toEqual([newKid]);
        await expect((await verifierFor(fresh)).verify(before.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      } finally {
        await fresh.close();
      }
    } finally {
      await app.close();
    }
  });

  it('reaches another replica: an unknown kid makes it reload the keys', async () => {
    const store = signingKeyStore(db.database.db);
    const rotating = new KeyRing({ store, accessTokenTtlSeconds: 900 });
    const other = new KeyRing({ store, accessTokenTtlSeconds: 900 });
    await other.load();
    await rotating.rotate();
    const token = (await issuerOf(rotating).issue(subject)).token;
    const verifier = createTokenVerifier(other.getKey, { issuer: 'healthmatch-auth', audience: 'healthmatch', roles: ROLES });
    expect(await verifier.verify(token)).toEqual(subject);
    expect((await other.signingKey()).kid).toBe((await rotating.signingKey()).kid);
  });
});

describe('database outage', () => {
  it('keeps publishing and signing with the keys loaded last', async () => {
    const pool = createDatabase(db.tdb.url, schema, { max: 1 });
    const keys = new KeyRing({ store: signingKeyStore(pool.db), accessTokenTtlSeconds: 900, cacheSeconds: 0 });
    await keys.load();
    const before = await keys.jwks();
    await pool.close(); // every later read fails
    expect(await keys.jwks()).toEqual(before);
    expect(decodeProtectedHeader((await issuerOf(keys).issue(subject)).token).kid).toBe(before.keys[0]!.kid);
  });
});

describe('encryption at rest', () => {
  it('seals private keys when SIGNING_KEY_ENCRYPTION_KEYS is set, opens them with an older key still listed, and refuses to start without it', async () => {
    const t = await migratedDatabase('auth_keys_enc');
    const k1 = `k1:${generateFieldKey()}`;
    try {
      const app = await appOn(t, { SIGNING_KEY_ENCRYPTION_KEYS: k1 });
      let token: string;
      try {
        await app.keyRing.load();
        token = (await issuerOf(app.keyRing).issue(subject)).token;
        expect(await (await verifierFor(app)).verify(token)).toEqual(subject);
      } finally {
        await app.close();
      }
      const [row] = await keyRows(t);
      expect(row!.encryption_key_id).toBe('k1');
      expect(row!.private_key.startsWith('v1:k1:')).toBe(true);
      expect(row!.private_key).not.toContain('"d"');

      // The encryption key rotated: k2 seals new keys, k1 still opens the stored one.
      const rotatedKeys = await appOn(t, { SIGNING_KEY_ENCRYPTION_KEYS: `k2:${generateFieldKey()},${k1}` });
      try {
        await rotatedKeys.keyRing.load();
        expect(decodeProtectedHeader((await issuerOf(rotatedKeys.keyRing).issue(subject)).token).kid).toBe(row!.kid);
      } finally {
        await rotatedKeys.close();
      }

      const store = signingKeyStore(t.database.db);
      await expect(new KeyRing({ store, accessTokenTtlSeconds: 900 }).load()).rejects.toThrow(/SIGNING_KEY_ENCRYPTION_KEYS is not set/);
      const wrong = createFieldCipher(parseFieldKeyRing(`k3:${generateFieldKey()}`));
      await expect(new KeyRing({ store, accessTokenTtlSeconds: 900, encryption: wrong }).load()).rejects.toThrow(/cannot be decrypted[\s\S]*k1/);
      const sameIdOtherKey = createFieldCipher(parseFieldKeyRing(`k1:${generateFieldKey()}`));
      await expect(new KeyRing({ store, accessTokenTtlSeconds: 900, encryption: sameIdOtherKey }).load()).rejects.toThrow(/cannot be decrypted/);
    } finally {
      await t.close();
    }
  });
});
