import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMigrations } from './db.ts';
import { createTestDatabase, type TestDatabase } from './testing/index.ts';

describe('runMigrations', () => {
  let tdb: TestDatabase;
  let folder: string;

  beforeAll(async () => {
    tdb = await createTestDatabase('migrate');
    folder = await mkdtemp(path.join(os.tmpdir(), 'hm-migrations-'));
    await mkdir(path.join(folder, 'meta'));
    const entries = ['0000_things', '0001_more'].map((tag, idx) => ({ idx, version: '7', when: 1_700_000_000_000 + idx, tag, breakpoints: true }));
    await writeFile(path.join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'postgresql', entries }));
    // Not idempotent on purpose: applying either twice would fail.
    await writeFile(path.join(folder, '0000_things.sql'), 'CREATE TABLE things (id integer PRIMARY KEY);');
    await writeFile(path.join(folder, '0001_more.sql'), 'ALTER TABLE things ADD COLUMN name text NOT NULL DEFAULT \'x\';');
  });
  afterAll(async () => {
    await tdb.drop();
    await rm(folder, { recursive: true, force: true });
  });

  it('applies each migration once when several replicas start together, and again is a no-op', async () => {
    await Promise.all(Array.from({ length: 6 }, () => runMigrations(tdb.url, folder, 'demo')));
    await runMigrations(tdb.url, folder, 'demo');
    const c = new pg.Client({ connectionString: tdb.url });
    await c.connect();
    try {
      const applied = await c.query('select count(*)::int as n from drizzle.__migrations_demo');
      expect(applied.rows[0].n).toBe(2);
      const cols = await c.query("select column_name from information_schema.columns where table_name = 'things' order by column_name");
      expect(cols.rows.map((r) => r.column_name)).toEqual(['id', 'name']);
    } finally {
      await c.end();
    }
  });
});
