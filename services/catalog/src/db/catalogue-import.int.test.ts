// The catalogue import against real PostgreSQL, on small invented files in the real format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { importAtStartup } from '../app.ts';
import { importCatalogue } from '../domain/catalogue-import.ts';
import { CATALOGUE_ROWS, SPECIALTIES_CSV, catalogueCsv, makeDataDir, makeProvider, startCatalogTestEnv, type CatalogTestEnv } from '../test-support/harness.ts';
import { catalogueImportStore } from './catalogue-repository.ts';

let env: CatalogTestEnv;
beforeAll(async () => {
  env = await startCatalogTestEnv('catalog_import', { importCatalogue: false });
});
afterAll(async () => env.close());

const count = async (table: string) => (await env.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]?.n;

interface ServiceDto {
  id: string;
  code: string;
  name: string;
  description: string;
  specialty: { code: string; name: string; derived: boolean; rule?: string } | null;
}

async function services(q = ''): Promise<ServiceDto[]> {
  const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/services?limit=100${q}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<{ items: ServiceDto[] }>().items;
}

describe('catalogue import', () => {
  it('imports specialties and services with their derived specialty on the first start', async () => {
    const outcome = await env.app.catalogueImporter.run('startup');
    expect(outcome.status).toBe('imported');
    if (outcome.status !== 'imported') return;
    expect(outcome.applied.services).toEqual({ inserted: CATALOGUE_ROWS.length, updated: 0, unchanged: 0, retired: 0 });
    expect(outcome.applied.specialties).toEqual({ inserted: 6, updated: 0, retired: 0 });
    expect(await count('services')).toBe(CATALOGUE_ROWS.length);
    expect(await count('specialties')).toBe(6);

    const list = await services();
    expect(list.map((s) => s.code)).toEqual(['88.99.1', '88.99.2', '90.99.1', 'T1.01', 'T1.02', 'T2.01', 'T2.02', 'T9.01']);
    const cardio = list.find((s) => s.code === 'T1.01');
    expect(cardio).toMatchObject({
      name: 'Prima visita cardiologica di prova',
      description: 'PRIMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG',
      specialty: { code: 'K1', name: 'Cardiologia', derived: true, rule: 'cardiology: keyword "CARDIOLOG"' },
    });
    expect(list.find((s) => s.code === '88.99.1')?.specialty).toMatchObject({ code: 'K3', derived: true, rule: 'chapter-radiology: code 88.' });
    // No rule matches: no specialty, never a silent "Altro".
    expect(list.find((s) => s.code === 'T9.01')?.specialty).toBeNull();

    const specialties = await env.app.inject({ method: 'GET', url: '/api/v1/catalog/specialties' });
    expect(specialties.json<{ items: { code: string; name: string }[] }>().items.map((s) => [s.code, s.name])).toEqual([
      ['K1', 'Cardiologia'],
      ['K2', 'Oculistica'],
      ['K3', 'Diagnostica per immagini - Radiologia diagnostica'],
      ['K4', 'Lab. analisi di prova, microbiologia'],
      ['K9', 'Altro'],
    ]);
    // Hospital disciplines are kept, typed by system, but are not in the specialty list.
    expect(await env.query(`select code, definition from specialties where system = 'disciplina_ospedaliera'`)).toEqual([
      { code: 'H1', definition: 'Reparto di prova, con virgola' },
    ]);
    const [log] = await env.query<{ trigger: string; services: number; inserted: number }>('select trigger, services, inserted from catalogue_imports');
    expect(log).toEqual({ trigger: 'startup', services: 8, inserted: 8 });
  });

  it('skips the start-up import when nothing changed, and upserts idempotently when forced', async () => {
    const ids = await env.query<{ id: string; code: string }>('select id, code from services order by code');
    expect((await env.app.catalogueImporter.run('startup')).status).toBe('unchanged');
    const forced = await env.app.catalogueImporter.run('command', { force: true });
    expect(forced.status).toBe('imported');
    if (forced.status === 'imported') {
      expect(forced.applied.services).toEqual({ inserted: 0, updated: 0, unchanged: 8, retired: 0 });
      expect(forced.applied.specialties).toEqual({ inserted: 0, updated: 0, retired: 0 });
    }
    expect(await count('services')).toBe(8);
    expect(await count('specialties')).toBe(6);
    // Same rows, same ids: offerings that point at them stay valid.
    expect(await env.query('select id, code from services order by code')).toEqual(ids);
  });

  it('updates a changed row, adds a new one and retires one that left the source', async () => {
    const before = await env.query<{ id: string }>(`select id from services where code = 'T2.01'`);
    const rows = CATALOGUE_ROWS.filter(([code]) => code !== '90.99.1').map(([code, d]): [string, string] =>
      code === 'T2.01' ? [code, 'PRIMA VISITA OCULISTICA PEDIATRICA DI PROVA'] : [code, d],
    );
    await env.data.write({ catalogue: catalogueCsv([...rows, ['T1.03', 'ELETTROCARDIOGRAMMA DI PROVA']]) });

    const outcome = await env.app.catalogueImporter.run('startup');
    expect(outcome.status).toBe('imported');
    if (outcome.status === 'imported') expect(outcome.applied.services).toEqual({ inserted: 1, updated: 1, unchanged: 6, retired: 1 });

    const list = await services();
    expect(list.map((s) => s.code)).not.toContain('90.99.1');
    expect(list.find((s) => s.code === 'T1.03')?.specialty).toMatchObject({ code: 'K1' });
    const changed = list.find((s) => s.code === 'T2.01');
    expect(changed).toMatchObject({ id: before[0]?.id, name: 'Prima visita oculistica pediatrica di prova' });
    expect((await services('&q=pediatr')).map((s) => s.code)).toEqual(['T2.01']);
    // A retired service stays readable by id (offerings may point at it).
    const [retired] = await env.query<{ id: string }>(`select id from services where code = '90.99.1'`);
    expect((await env.app.inject({ method: 'GET', url: `/api/v1/catalog/services/${retired?.id}` })).statusCode).toBe(200);

    // Back to the original file: the retired row returns, with its id.
    await env.data.write({ catalogue: catalogueCsv() });
    const back = await env.app.catalogueImporter.run('startup');
    if (back.status === 'imported') expect(back.applied.services).toMatchObject({ inserted: 0, updated: 2, retired: 1 });
    expect((await services()).map((s) => s.code)).toContain('90.99.1');
    expect(await count('services')).toBe(9);
  });

  it("refreshes the search words of offerings whose service's words changed", async () => {
    const provider = makeProvider({ displayName: 'Ambulatorio Bellavista' });
    env.upstream.providers.set(provider.id, provider);
    const [service] = await env.query<{ id: string }>(`select id from services where code = 'T2.01'`);
    const created = await env.app.inject({
      method: 'POST',
      url: '/api/v1/catalog/offerings',
      headers: bearer(await env.upstream.token(provider.id, 'provider')),
      payload: { serviceId: service?.id, price: { amount: 5000, currency: 'EUR' }, durationMinutes: 30, modality: 'in_person' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const search = async (q: string) =>
      (await env.app.inject({ method: 'GET', url: `/api/v1/catalog/search?q=${encodeURIComponent(q)}` })).json<{ items: unknown[] }>().items.length;
    expect(await search('oculist bellavista')).toBe(1);
    expect(await search('strabismo')).toBe(0);

    await env.data.write({
      catalogue: catalogueCsv(CATALOGUE_ROWS.map(([c, d]): [string, string] => (c === 'T2.01' ? [c, 'PRIMA VISITA OCULISTICA DI PROVA DELLO STRABISMO'] : [c, d]))),
    });
    const outcome = await env.app.catalogueImporter.run('startup');
    if (outcome.status === 'imported') expect(outcome.applied.offeringsRefreshed).toBe(1);
    expect(await search('strabismo bellav')).toBe(1);
  });

  it('corrects a known source typo in a database imported before the correction, on the next start', async () => {
    await env.data.write({ catalogue: catalogueCsv([...CATALOGUE_ROWS, ['T1.05', 'PRMA VISITA CARDIOLOGICA PEDIATRICA DI PROVA']]) });
    expect((await env.app.catalogueImporter.run('startup')).status).toBe('imported');
    const [fresh] = await env.query<{ name: string }>(`select name from services where code = 'T1.05'`);
    expect(fresh?.name).toBe('Prima visita cardiologica pediatrica di prova');
    // What the previous version stored: the typo in every derived column, and its checksum.
    await env.query(
      `update services set clean_description = description, name = 'Prma visita cardiologica pediatrica di prova',
         search_text = 't1 05 prma visita cardiologica pediatrica di prova', name_text = 'prma visita cardiologica pediatrica di prova'
       where code = 'T1.05'`,
    );
    await env.query(`update catalogue_imports set content_checksum = 'checksum-of-the-previous-version'`);
    expect((await services('&q=prima%20visita%20cardiolog%20pediatr')).map((s) => s.code)).toEqual([]);

    const outcome = await env.app.catalogueImporter.run('startup');
    expect(outcome.status).toBe('imported');
    if (outcome.status === 'imported') expect(outcome.applied.services).toMatchObject({ inserted: 0, updated: 1 });
    const found = await services('&q=prima%20visita%20cardiolog%20pediatr');
    expect(found.map((s) => s.code)).toEqual(['T1.05']);
    expect(found[0]).toMatchObject({ name: 'Prima visita cardiologica pediatrica di prova', description: 'PRMA VISITA CARDIOLOGICA PEDIATRICA DI PROVA' });
    expect((await env.app.catalogueImporter.run('startup')).status).toBe('unchanged');
  });

  it('imports once when two replicas start together', async () => {
    await env.query('truncate catalogue_imports');
    await env.data.write({ catalogue: catalogueCsv([...CATALOGUE_ROWS, ['T1.04', 'ECOCARDIOGRAFIA DI PROVA']]) });
    const second = await env.secondApp();
    const outcomes = await Promise.all([env.app.catalogueImporter.run('startup'), second.catalogueImporter.run('startup')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['imported', 'unchanged']);
    expect(await count('catalogue_imports')).toBe(1);
    expect((await services()).map((s) => s.code)).toContain('T1.04');
  });

  it('re-imports on start when the catalogue is empty, even if the checksum matches', async () => {
    const store = catalogueImportStore(env.database.db);
    await env.query('delete from offerings');
    await env.query('delete from services');
    expect((await importCatalogue(store, { dataDir: env.data.dir, trigger: 'startup' })).status).toBe('imported');
    expect(await count('services')).toBe(9);
  });

  it('does nothing without the data folder, and says so', async () => {
    const store = catalogueImportStore(env.database.db);
    const before = await count('catalogue_imports');
    const outcome = await importCatalogue(store, { dataDir: '/nonexistent/healthmatch-data', trigger: 'startup' });
    expect(outcome).toEqual({
      status: 'no-data',
      dataDir: '/nonexistent/healthmatch-data',
      missing: ['it_catalogo_nazionale_prestazioni.csv', 'it_specialita_branche_discipline.csv'],
    });
    expect(await count('catalogue_imports')).toBe(before);
    const app = await env.secondApp({ dataDir: '/nonexistent/healthmatch-data' });
    expect(await importAtStartup(app)).toMatchObject({ status: 'no-data' });
  });

  it('refuses a source file with a wrong header; the service keeps what it has', async () => {
    const bad = await makeDataDir({ catalogue: 'code,description\n11.11,VISITA\n', specialties: SPECIALTIES_CSV });
    try {
      const store = catalogueImportStore(env.database.db);
      await expect(importCatalogue(store, { dataDir: bad.dir, trigger: 'command', force: true })).rejects.toMatchObject({ code: 'CATALOG_SOURCE_INVALID' });
      const app = await env.secondApp({ dataDir: bad.dir });
      expect(await importAtStartup(app)).toBeUndefined();
      expect(await count('services')).toBe(9);
    } finally {
      await bad.remove();
    }
  });

  it('keeps bad rows out and imports the good ones', async () => {
    await env.data.write({ catalogue: `${catalogueCsv()}\n,SENZA CODICE\nT1.01,DOPPIONE\n` });
    const outcome = await env.app.catalogueImporter.run('command', { force: true });
    expect(outcome.status).toBe('imported');
    if (outcome.status === 'imported') {
      expect(outcome.report.rejectedCount).toBe(2);
      expect(outcome.report.rejected.map((r) => r.reason)).toEqual(['empty-code', 'duplicate-code']);
    }
    expect((await services()).find((s) => s.code === 'T1.01')?.description).toBe('PRIMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG');
  });
});
