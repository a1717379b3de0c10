// The real public files (never copied into the repository) imported into real PostgreSQL:
// counts, and the ranking of a search patients make. Every checkout and CI run has them at
// HEALTHMATCH_DATA_DIR (default ../shared/data from the repository root), so this test is
// never skipped: a missing folder fails it.
import type { App } from '@healthmatch/platform';
import { createTestDatabase, type TestDatabase } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.ts';
import { dataDirOf } from '../config.ts';
import { importCatalogue, type ImportOutcome } from '../domain/catalogue-import.ts';
import { catalogueImportStore, catalogueReader } from './catalogue-repository.ts';
import { createCatalogDatabase, migrateCatalogDatabase, type CatalogDatabase } from './database.ts';
import { testConfig } from '../test-support/harness.ts';

let testDb: TestDatabase;
let database: CatalogDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase('catalog_real');
  await migrateCatalogDatabase(testDb.url);
  database = createCatalogDatabase(testDb.url, { max: 2 });
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe('import of the real catalogue files', () => {
  it('stores 2,108 services and the 26 outpatient branches, twice without changes', async () => {
    const dataDir = dataDirOf({ HEALTHMATCH_DATA_DIR: process.env.HEALTHMATCH_DATA_DIR });
    const store = catalogueImportStore(database.db);
    const first: ImportOutcome = await importCatalogue(store, { dataDir, trigger: 'command' });
    // Not skipped when the data is missing: this says where it looked.
    expect(first, `the public data files must be in ${dataDir}`).toMatchObject({ status: 'imported' });
    if (first.status !== 'imported') return;
    expect(first.report.rejectedCount).toBe(0);
    expect(first.report.unresolvedRules).toEqual([]);
    expect(first.applied.services.inserted).toBe(2108);
    expect(first.applied.specialties.inserted).toBe(97);

    const reader = catalogueReader(database.db);
    expect(await reader.listOutpatientBranches()).toHaveLength(26);
    const counts = await database.pool.query<{ services: number; derived: number }>(
      'select count(*)::int as services, count(specialty_id)::int as derived from services where retired_at is null',
    );
    expect(counts.rows[0]?.services).toBe(2108);
    expect(counts.rows[0]?.derived).toBeGreaterThanOrEqual(2090);

    const again = await importCatalogue(store, { dataDir, trigger: 'startup' });
    expect(again.status).toBe('unchanged');
    const forced = await importCatalogue(store, { dataDir, trigger: 'command', force: true });
    if (forced.status === 'imported') expect(forced.applied.services).toEqual({ inserted: 0, updated: 0, unchanged: 2108, retired: 0 });
  });

  describe('searching the imported catalogue over HTTP', () => {
    let app: App;
    beforeAll(async () => {
      // Public routes only: users and auth are never asked.
      const dataDir = dataDirOf({ HEALTHMATCH_DATA_DIR: process.env.HEALTHMATCH_DATA_DIR });
      // Imported by the test above; on its own (-t), this imports.
      expect((await importCatalogue(catalogueImportStore(database.db), { dataDir, trigger: 'startup' })).status).not.toBe('no-data');
      app = await buildApp(testConfig(testDb.url, { url: 'http://127.0.0.1:1', authUrl: 'http://127.0.0.1:1' }, dataDir), { database, logger: false, dataDir });
    });
    afterAll(async () => app?.close());

    const search = async (q: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/catalog/services?q=${encodeURIComponent(q)}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ items: Array<{ code: string; name: string; description: string }> }>().items;
    };

    it('finds the first cardiology visit first for "prima visita cardiolog", although the source spells it "PRMA"', async () => {
      for (const q of ['prima visita cardiolog', 'prima visita cardiologica', 'Prima visita cardiologica']) {
        const items = await search(q);
        expect(items[0], q).toMatchObject({ code: '89.7A.3', name: 'Prima visita cardiologica' });
        expect(items[0]?.description, q).toMatch(/^PRMA VISITA CARDIOLOGICA\b/); // as published
      }
      // The follow-up visit comes first for its own words; the first visit is still found by "visita cardiologica".
      expect((await search('visita cardiologica controllo'))[0]?.code).toBe('89.01.3');
      expect((await search('visita cardiologica')).map((s) => s.code)).toEqual(expect.arrayContaining(['89.01.3', '89.7A.3']));
      expect((await search('visita chirurgia maxillo facciale controllo'))[0]?.code).toBe('89.01.S');
    });
  });
});
