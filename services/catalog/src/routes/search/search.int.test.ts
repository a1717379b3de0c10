// Search over offerings and the catalogue through HTTP against real PostgreSQL. Offerings
// are created through the API, so the read model is built the way production builds it.
import type { Offering, PublicProvider, SearchHit } from '@healthmatch/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { haversineKm } from '../../domain/geo.ts';
import { allPages, makeProvider, startCatalogTestEnv, type CatalogTestEnv } from '../../test-support/harness.ts';

let env: CatalogTestEnv;
const ROME = { lat: 41.9028, lon: 12.4964 };
const EUR = { lat: 41.83, lon: 12.47 }; // about 8 km from ROME
const TIVOLI = { lat: 41.9637, lon: 12.7987 }; // about 26 km
const FORLI = { lat: 44.2227, lon: 12.0407 }; // about 260 km
const MILAN = { lat: 45.4642, lon: 9.19 }; // about 480 km

/** Offering ids by name, in creation order. */
const o: Record<string, string> = {};
const locations = new Map<string, { lat: number; lon: number }>();

beforeAll(async () => {
  env = await startCatalogTestEnv('catalog_search');
  const services = Object.fromEntries((await env.query<{ id: string; code: string }>('select id, code from services')).map((r) => [r.code, r.id]));
  const providers: Record<string, PublicProvider> = {
    bellavista: makeProvider({ displayName: 'Centro Medico Bellavista', city: 'Roma', ...ROME }),
    eur: makeProvider({ displayName: 'Poliambulatorio Eur', city: 'Roma', ...EUR }),
    tivoli: makeProvider({ displayName: 'Ambulatorio Tivoli', city: 'Tivoli', ...TIVOLI }),
    forli: makeProvider({ displayName: 'Studio Oculistico Forlì', city: 'Forlì', ...FORLI }),
    milano: makeProvider({ displayName: 'Clinica Milano', city: 'Milano', ...MILAN, demo: true }),
  };
  for (const p of Object.values(providers)) env.upstream.providers.set(p.id, p);
  const offer = async (name: string, who: string, code: string, amount: number, modality = 'in_person') => {
    const p = providers[who]!;
    const res = await env.app.inject({
      method: 'POST',
      url: '/api/v1/catalog/offerings',
      headers: bearer(await env.upstream.token(p.id, 'provider')),
      payload: { serviceId: services[code], price: { amount, currency: 'EUR' }, durationMinutes: 30, modality },
    });
    expect(res.statusCode, res.body).toBe(201);
    o[name] = res.json<Offering>().id;
    locations.set(o[name]!, { lat: p.lat, lon: p.lon });
  };
  await offer('cardioBellavista', 'bellavista', 'T1.01', 5000);
  await offer('cardioTeleBellavista', 'bellavista', 'T1.02', 4000, 'telehealth');
  await offer('ecoBellavista', 'bellavista', '88.99.1', 6000);
  await offer('cardioEur', 'eur', 'T1.01', 4000);
  await offer('oculistEur', 'eur', 'T2.01', 3000);
  await offer('cardioTivoli', 'tivoli', 'T1.01', 3500);
  await offer('ecoMilano', 'milano', '88.99.2', 7000);
  await offer('oculistForli', 'forli', 'T2.01', 4500);
  await offer('fondoForli', 'forli', 'T2.02', 2000);
  await offer('genericEur', 'eur', 'T9.01', 1000);
  const p = providers.eur!;
  const off = await env.app.inject({
    method: 'PATCH',
    url: `/api/v1/catalog/offerings/${o.genericEur}`,
    headers: bearer(await env.upstream.token(p.id, 'provider')),
    payload: { active: false },
  });
  expect(off.statusCode).toBe(200);
});
afterAll(async () => env.close());

async function search(query: string): Promise<{ items: SearchHit[]; nextCursor: string | null }> {
  const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/search?${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const names = (hits: SearchHit[]) => hits.map((h) => Object.entries(o).find(([, id]) => id === h.offeringId)?.[0]);
const found = async (query: string) => names((await search(query)).items);
const setOf = async (query: string) => new Set(await found(query));

describe('search by words', () => {
  it('matches word beginnings of the service, ignoring case and accents', async () => {
    expect(await found('q=cardiolog')).toEqual(['cardioTivoli', 'cardioTeleBellavista', 'cardioEur', 'cardioBellavista']);
    expect(await found('q=CARDIOLOGICA')).toHaveLength(4);
    expect(await setOf('q=Ecograf%C3%ACa')).toEqual(new Set(['ecoBellavista', 'ecoMilano']));
    expect(await setOf('q=ECOGRAFIA')).toEqual(new Set(['ecoBellavista', 'ecoMilano']));
    expect(await found('q=ardiolog')).toEqual([]);
  });

  it('needs every word, in any order, also from the notes of the description', async () => {
    expect(await setOf('q=visita%20oculistica')).toEqual(new Set(['oculistEur', 'oculistForli', 'fondoForli']));
    expect(await setOf('q=oculistica%20visita%20prima')).toEqual(new Set(['oculistEur', 'oculistForli']));
    expect(await setOf('q=visita%20ecografia')).toEqual(new Set());
  });

  it("matches the provider's name words too, alone or with service words", async () => {
    expect(await setOf('q=bellav')).toEqual(new Set(['cardioBellavista', 'cardioTeleBellavista', 'ecoBellavista']));
    expect(await setOf('q=cardiolog%20bellav')).toEqual(new Set(['cardioBellavista', 'cardioTeleBellavista']));
    expect(await setOf('q=FORLI')).toEqual(new Set(['oculistForli', 'fondoForli']));
  });

  it('takes a code too, and treats LIKE and tsquery characters as plain text', async () => {
    expect(await setOf('q=T1.01')).toEqual(new Set(['cardioBellavista', 'cardioEur', 'cardioTivoli']));
    expect(await found(`q=${encodeURIComponent("cardiolog' | '%")}`)).toHaveLength(4);
    expect(await found(`q=${encodeURIComponent('%_')}`)).toHaveLength(9);
  });
});

describe('search filters', () => {
  it('by specialty code', async () => {
    expect(await setOf('specialty=K1')).toEqual(new Set(['cardioBellavista', 'cardioTeleBellavista', 'cardioEur', 'cardioTivoli']));
    expect(await setOf('specialty=K2')).toEqual(new Set(['oculistEur', 'oculistForli', 'fondoForli']));
    expect(await found('specialty=ZZ')).toEqual([]);
  });

  it('by city, ignoring case and accents', async () => {
    expect(await setOf('city=ROMA')).toEqual(new Set(['cardioBellavista', 'cardioTeleBellavista', 'ecoBellavista', 'cardioEur', 'oculistEur']));
    expect(await setOf('city=forli')).toEqual(new Set(['oculistForli', 'fondoForli']));
    expect(await setOf(`city=${encodeURIComponent(' Forlì ')}`)).toEqual(new Set(['oculistForli', 'fondoForli']));
    expect(await found('city=Rom')).toEqual([]);
  });

  it('by maxPrice (minor units) and modality', async () => {
    const cheap = (await search('maxPrice=4000')).items;
    expect(new Set(names(cheap))).toEqual(new Set(['cardioTeleBellavista', 'cardioEur', 'oculistEur', 'cardioTivoli', 'fondoForli']));
    expect(cheap.every((h) => h.price.amount <= 4000)).toBe(true);
    expect(await found('modality=telehealth')).toEqual(['cardioTeleBellavista']);
    expect(await setOf('modality=in_person&q=cardiolog')).toEqual(new Set(['cardioBellavista', 'cardioEur', 'cardioTivoli']));
  });

  it('leaves inactive offerings out', async () => {
    expect(await found('q=generica')).toEqual([]);
    const all = await allPages<SearchHit>(env.app, '/api/v1/catalog/search?limit=100');
    expect(all.items.map((h) => h.offeringId)).not.toContain(o.genericEur);
    expect(all.items).toHaveLength(9);
  });

  it('shows the hit with service, derived specialty and the provider copy', async () => {
    const [hit] = (await search('modality=telehealth')).items;
    expect(hit).toEqual({
      offeringId: o.cardioTeleBellavista,
      service: { id: expect.any(String), code: 'T1.02', name: 'Visita cardiologica di controllo di prova' },
      specialty: { code: 'K1', name: 'Cardiologia', derived: true },
      provider: { id: expect.any(String), name: 'Centro Medico Bellavista', city: 'Roma', demo: false },
      price: { amount: 4000, currency: 'EUR' },
      durationMinutes: 30,
      modality: 'telehealth',
      location: { address: 'Via di Prova 1', city: 'Roma', ...ROME },
    });
    expect((await search('q=eco%20collo')).items[0]?.provider).toMatchObject({ name: 'Clinica Milano', demo: true });
  });
});

describe('search near a point', () => {
  it('keeps hits within the radius, nearest first, with their distance', async () => {
    const { items } = await search(`lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=10`);
    expect(new Set(names(items))).toEqual(new Set(['cardioBellavista', 'cardioTeleBellavista', 'ecoBellavista', 'cardioEur', 'oculistEur']));
    const distances = items.map((h) => h.distanceKm!);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const h of items) {
      expect(h.distanceKm).toBeCloseTo(haversineKm(ROME, locations.get(h.offeringId)!), 2);
      expect(h.distanceKm).toBeLessThanOrEqual(10);
    }
    expect(distances.slice(0, 3)).toEqual([0, 0, 0]);
    // Equal distances: by id (creation order here).
    expect(names(items).slice(0, 3)).toEqual(['cardioBellavista', 'cardioTeleBellavista', 'ecoBellavista']);
  });

  it('uses 25 km by default, and any radius up to 500', async () => {
    expect(await found(`lat=${ROME.lat}&lon=${ROME.lon}`)).not.toContain('cardioTivoli');
    expect(await found(`lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=30`)).toContain('cardioTivoli');
    const far = await found(`lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=500`);
    expect(far).toHaveLength(9);
    expect(far.slice(-3)).toEqual(['oculistForli', 'fondoForli', 'ecoMilano']);
  });

  it('combines distance with words and other filters', async () => {
    expect(await found(`q=cardiolog&lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=10`)).toEqual(['cardioBellavista', 'cardioTeleBellavista', 'cardioEur']);
    expect(await found(`q=cardiolog&lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=10&maxPrice=4000&modality=in_person`)).toEqual(['cardioEur']);
    expect(await found(`lat=${MILAN.lat}&lon=${MILAN.lon}&radiusKm=1&city=milano`)).toEqual(['ecoMilano']);
  });
});

describe('search pages', () => {
  async function pagedEqualsWhole(query: string, limit: number) {
    const whole = (await search(`${query}&limit=100`)).items.map((h) => h.offeringId);
    const paged = await allPages<SearchHit>(env.app, `/api/v1/catalog/search?${query}&limit=${limit}`);
    const ids = paged.items.map((h) => h.offeringId);
    expect(ids).toEqual(whole);
    expect(new Set(ids).size).toBe(ids.length);
    // A full last page carries no cursor: no empty page at the end.
    expect(paged.pages).toBe(Math.max(1, Math.ceil(whole.length / limit)));
    return ids;
  }

  it('by price: no duplicates, no gaps, ties on price broken by id', async () => {
    for (const limit of [1, 2, 4]) expect(await pagedEqualsWhole('maxPrice=100000', limit)).toHaveLength(9);
    const ids = await pagedEqualsWhole('q=cardiolog', 1);
    expect(ids).toEqual([o.cardioTivoli, o.cardioTeleBellavista, o.cardioEur, o.cardioBellavista]);
  });

  it('by distance: no duplicates, no gaps, ties on distance broken by id', async () => {
    for (const limit of [1, 2, 3]) {
      expect(await pagedEqualsWhole(`lat=${ROME.lat}&lon=${ROME.lon}&radiusKm=500`, limit)).toHaveLength(9);
    }
    // From a point where several offerings are equally far.
    const ids = await pagedEqualsWhole(`lat=${EUR.lat}&lon=${EUR.lon}&radiusKm=20`, 1);
    expect(ids.slice(0, 2)).toEqual([o.cardioEur, o.oculistEur]);
  });

  it('gives no cursor on the last page', async () => {
    const { items, nextCursor } = await search('q=cardiolog&limit=4');
    expect(items).toHaveLength(4);
    expect(nextCursor).toBeNull();
  });

  it('refuses a cursor of the other sort order', async () => {
    const { nextCursor } = await search('limit=1');
    const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/search?lat=1&lon=1&cursor=${nextCursor}` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'query/cursor' }] });
  });
});

describe('catalogue services', () => {
  interface ServiceDto {
    id: string;
    code: string;
    specialty: { code: string } | null;
  }
  const codes = async (query: string) => {
    const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/services?${query}` });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: ServiceDto[] }>().items.map((s) => s.code);
  };

  it('finds services by word beginnings, ignoring case and accents; name hits first', async () => {
    expect(await codes('q=cardiolog')).toEqual(['T1.01', 'T1.02']);
    expect(await codes('q=Ecograf%C3%ACa')).toEqual(['88.99.1', '88.99.2']);
    // Both words; the service whose name holds them comes before one that has them in its notes.
    expect(await codes('q=visita%20oculistica')).toEqual(['T2.01', 'T2.02']);
    expect(await codes("q=ecografia%20dell'addome")).toEqual(['88.99.1']);
  });

  it('filters by specialty and pages without duplicates or gaps', async () => {
    expect(await codes('specialty=K2')).toEqual(['T2.01', 'T2.02']);
    const whole = await codes('limit=100');
    expect(whole).toHaveLength(8);
    const paged = await allPages<ServiceDto>(env.app, '/api/v1/catalog/services?limit=3');
    expect(paged.items.map((s) => s.code)).toEqual(whole);
    const ranked = await allPages<ServiceDto>(env.app, '/api/v1/catalog/services?q=visita&limit=1');
    expect(ranked.items.map((s) => s.code)).toEqual(await codes('q=visita&limit=100'));
  });

  it('reads one service by id, and answers 404 for an unknown one', async () => {
    const [row] = await env.query<{ id: string }>(`select id from services where code = 'T9.01'`);
    const res = await env.app.inject({ method: 'GET', url: `/api/v1/catalog/services/${row?.id.toUpperCase()}` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: 'T9.01', name: 'Prima visita generica di prova', specialty: null });
    const missing = await env.app.inject({ method: 'GET', url: '/api/v1/catalog/services/0190b6c2-0000-7000-8000-000000000001' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'CATALOG_SERVICE_NOT_FOUND' });
  });
});
