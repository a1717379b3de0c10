import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from './index.ts';

describe('test database helper', () => {
  it('creates a fresh database on the test server with the extensions the services need', async () => {
    const tdb = await createTestDatabase('platform');
    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      await c.query('create extension if not exists btree_gist; create extension if not exists unaccent; create extension if not exists pg_trgm');
      const r = await c.query<{ db: string }>('select current_database() as db');
      expect(r.rows[0]?.db).toBe(tdb.name);
    } finally {
      await c.end();
      await tdb.drop();
    }
  });
});
