import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { generateFieldKey } from './crypto.ts';
import { loadFieldKeyRing, localFieldKeyStore } from './db.ts';
import { createTestDatabase, type TestDatabase } from './testing/index.ts';

const quiet = { warn: () => {} };

describe('local field key in PostgreSQL', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function fresh(): Promise<TestDatabase> {
    const tdb = await createTestDatabase('platform_keys');
    cleanup.push(() => tdb.drop());
    return tdb;
  }
  function pool(url: string): pg.Pool {
    const p = new pg.Pool({ connectionString: url, max: 2 });
    cleanup.push(() => p.end());
    return p;
  }

  it('creates its table and one key on first use; replicas starting together agree on it', async () => {
    const tdb = await fresh();
    const pools = Array.from({ length: 4 }, () => pool(tdb.url));
    const keys = await Promise.all(pools.flatMap((p) => [localFieldKeyStore(p).loadOrCreate(generateFieldKey), localFieldKeyStore(p).loadOrCreate(generateFieldKey)]));
    expect(new Set(keys.map((k) => k.keyMaterial)).size).toBe(1);
    expect(keys.filter((k) => k.created)).toHaveLength(1);
    expect(keys.every((k) => k.id === 'local')).toBe(true);
    const rows = (await pools[0]!.query('select id, key_material from local_field_keys')).rows;
    expect(rows).toEqual([{ id: 'local', key_material: keys[0]!.keyMaterial }]);
    expect(Buffer.from(rows[0].key_material, 'base64')).toHaveLength(32);
  });

  it('uses a table a migration made already (the users service declares it)', async () => {
    const tdb = await fresh();
    const p = pool(tdb.url);
    await p.query('create table local_field_keys (id text primary key, key_material text not null, created_at timestamp with time zone default now() not null)');
    await p.query("insert into local_field_keys (id, key_material) values ('local', $1)", [Buffer.alloc(32, 1).toString('base64')]);
    const ring = await loadFieldKeyRing({ pool: p }, { service: 'svc', keys: undefined, protects: 'things', keyIdsInUse: async () => ['local'], log: quiet });
    expect(ring.keyFor('local')).toEqual(Buffer.alloc(32, 1));
  });

  it('touches nothing in the database when the ring comes from the variable', async () => {
    const tdb = await fresh();
    const p = pool(tdb.url);
    const ring = await loadFieldKeyRing({ pool: p }, { service: 'svc', keys: `k1:${generateFieldKey()}`, protects: 'things', keyIdsInUse: async () => ['k1'], log: quiet });
    expect(ring.currentKeyId).toBe('k1');
    expect((await p.query("select to_regclass('local_field_keys') as t")).rows[0].t).toBeNull();
  });
});
