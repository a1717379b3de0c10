// Offerings through HTTP against real PostgreSQL, with the users service and the JWKS
// played by a tiny real HTTP server.
import type { Offering, PublicProvider } from '@healthmatch/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearer } from '@healthmatch/platform/testing';
import { buildApp } from '../../app.ts';
import { allPages, makeProvider, newId, startCatalogTestEnv, testConfig, type CatalogTestEnv } from '../../test-support/harness.ts';

let env: CatalogTestEnv;
let serviceIds: Record<string, string>;
beforeAll(async () => {
  env = await startCatalogTestEnv('catalog_offerings');
  const rows = await env.query<{ id: string; code: string }>('select id, code from services');
  serviceIds = Object.fromEntries(rows.map((r) => [r.code, r.id]));
});
afterAll(async () => env.close());
beforeEach(() => {
  env.upstream.usersFailure = null;
});

const BASE = '/api/v1/catalog/offerings';

interface Provider {
  profile: PublicProvider;
  auth: Record<string, string>;
}

async function provider(overrides: Partial<PublicProvider> = {}): Promise<Provider> {
  const profile = makeProvider(overrides);
  env.upstream.providers.set(profile.id, profile);
  return { profile, auth: bearer(await env.upstream.token(profile.id, 'provider')) };
}

const input = (overrides: Record<string, unknown> = {}) => ({
  serviceId: serviceIds['T1.01'],
  price: { amount: 4500, currency: 'EUR' },
  durationMinutes: 30,
  modality: 'in_person',
  ...overrides,
});

async function create(p: Provider, body: Record<string, unknown> = input(), headers: Record<string, string> = {}) {
  return env.app.inject({ method: 'POST', url: BASE, headers: { ...p.auth, ...headers }, payload: body });
}

async function created(p: Provider, body?: Record<string, unknown>): Promise<Offering> {
  const res = await create(p, body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Offering>();
}

const offeringCount = async () => (await env.query<{ n: number }>('select count(*)::int as n from offerings'))[0]?.n;

describe('POST /api/v1/catalog/offerings', () => {
  it("creates an offering at the provider's address, with a copy of the provider", async () => {
    const p = await provider({ displayName: 'Studio Cardiologico Rossi', city: 'Roma', address: 'Via Appia 10', lat: 41.87, lon: 12.52, demo: true });
    const res = await create(p, input(), { 'x-request-id': 'req-create-1' });
    expect(res.statusCode, res.body).toBe(201);
    const o = res.json<Offering>();
    expect(res.headers.location).toBe(`${BASE}/${o.id}`);
    expect(o).toMatchObject({
      providerId: p.profile.id,
      service: { id: serviceIds['T1.01'], code: 'T1.01', name: 'Prima visita cardiologica di prova' },
      specialty: { code: 'K1', name: 'Cardiologia', derived: true },
      provider: { id: p.profile.id, name: 'Studio Cardiologico Rossi', city: 'Roma', demo: true },
      price: { amount: 4500, currency: 'EUR' },
      durationMinutes: 30,
      modality: 'in_person',
      location: { address: 'Via Appia 10', city: 'Roma', lat: 41.87, lon: 12.52 },
      active: true,
    });
    expect(Date.parse(o.createdAt)).not.toBeNaN();
    // The users service was asked with our request id and the caller's token.
    expect(env.upstream.providerCalls.at(-1)).toEqual({ id: p.profile.id, requestId: 'req-create-1', authorization: p.auth.authorization });

    const read = await env.app.inject({ method: 'GET', url: `${BASE}/${o.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toEqual(o);
  });

  it('takes a location of its own', async () => {
    const p = await provider();
    const location = { address: 'Piazza del Duomo 1', city: 'Milano', lat: 45.4642, lon: 9.19 };
    const o = await created(p, input({ location, modality: 'telehealth' }));
    expect(o.location).toEqual(location);
    expect(o.modality).toBe('telehealth');
  });

  it('refuses an unknown service (422) without asking the users service', async () => {
    const p = await provider();
    const calls = env.upstream.providerCalls.length;
    const res = await create(p, input({ serviceId: newId() }));
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'CATALOG_UNKNOWN_SERVICE', errors: [{ field: 'body/serviceId' }] });
    expect(env.upstream.providerCalls.length).toBe(calls);
  });

  it('refuses a provider without a profile (422)', async () => {
    const auth = bearer(await env.upstream.token(newId(), 'provider'));
    const before = await offeringCount();
    const res = await env.app.inject({ method: 'POST', url: BASE, headers: auth, payload: input() });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ code: 'CATALOG_PROVIDER_PROFILE_MISSING' });
    expect(await offeringCount()).toBe(before);
  });

  it('stores nothing when the users service is down (502) or unavailable (503)', async () => {
    const p = await provider();
    const before = await offeringCount();
    env.upstream.usersFailure = 'down';
    const down = await create(p);
    expect(down.statusCode).toBe(502);
    expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(down.json()).toMatchObject({ code: 'BAD_GATEWAY', status: 502 });
    // No internals (addresses, causes) in the answer.
    expect(down.body).not.toContain('127.0.0.1');
    env.upstream.usersFailure = 503;
    const unavailable = await create(p);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    env.upstream.usersFailure = 500;
    expect((await create(p)).statusCode).toBe(502);
    expect(await offeringCount()).toBe(before);
  });

  it('answers 502 when the users service answers something that breaks the contract', async () => {
    const p = await provider();
    env.upstream.providers.set(p.profile.id, { ...p.profile, lat: 'north' } as unknown as PublicProvider);
    const before = await offeringCount();
    const res = await create(p);
    expect(res.statusCode).toBe(502);
    expect(await offeringCount()).toBe(before);
  });

  it('answers 502 when the users service is not there at all', async () => {
    const p = await provider();
    // USERS_URL where nothing listens.
    const config = { ...testConfig(env.testDb.url, env.upstream, env.data.dir), USERS_URL: 'http://127.0.0.1:1' };
    const nowhere = await buildApp(config, { database: env.database, logger: false, dataDir: env.data.dir });
    try {
      const before = await offeringCount();
      const res = await nowhere.inject({ method: 'POST', url: BASE, headers: p.auth, payload: input() });
      expect(res.statusCode).toBe(502);
      expect(res.json()).toMatchObject({ code: 'BAD_GATEWAY' });
      expect(await offeringCount()).toBe(before);
    } finally {
      await nowhere.close();
    }
  });
});

describe('PATCH /api/v1/catalog/offerings/{id}', () => {
  const patch = (p: Provider, id: string, body: unknown) => env.app.inject({ method: 'PATCH', url: `${BASE}/${id}`, headers: p.auth, payload: body as object });

  it('changes price, duration and modality of an own offering', async () => {
    const p = await provider();
    const o = await created(p);
    const res = await patch(p, o.id, { price: { amount: 6000, currency: 'EUR' }, durationMinutes: 45, modality: 'telehealth' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json<Offering>()).toMatchObject({ id: o.id, price: { amount: 6000, currency: 'EUR' }, durationMinutes: 45, modality: 'telehealth', active: true });
    expect(Date.parse(res.json<Offering>().updatedAt)).toBeGreaterThanOrEqual(Date.parse(o.updatedAt));
  });

  it("answers 404 for someone else's offering and for one that does not exist, and changes nothing", async () => {
    const owner = await provider();
    const other = await provider();
    const o = await created(owner);
    const res = await patch(other, o.id, { price: { amount: 1, currency: 'EUR' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'CATALOG_OFFERING_NOT_FOUND' });
    expect((await patch(other, newId(), { active: false })).statusCode).toBe(404);
    const read = await env.app.inject({ method: 'GET', url: `${BASE}/${o.id}` });
    expect(read.json<Offering>().price.amount).toBe(4500);
  });

  it('refreshes the provider copy, and a location that follows the profile', async () => {
    const p = await provider({ displayName: 'Vecchio Nome', city: 'Roma', address: 'Via Vecchia 1', lat: 41.9, lon: 12.5 });
    const follows = await created(p);
    const own = await created(p, input({ location: { address: 'Via Propria 2', city: 'Tivoli', lat: 41.96, lon: 12.8 } }));
    env.upstream.providers.set(p.profile.id, { ...p.profile, displayName: 'Nuovo Nome', city: 'Frascati', address: 'Via Nuova 3', lat: 41.8, lon: 12.68, demo: true });

    const a = (await patch(p, follows.id, { durationMinutes: 60 })).json<Offering>();
    expect(a.provider).toEqual({ id: p.profile.id, name: 'Nuovo Nome', city: 'Frascati', demo: true });
    expect(a.location).toEqual({ address: 'Via Nuova 3', city: 'Frascati', lat: 41.8, lon: 12.68 });
    const b = (await patch(p, own.id, { durationMinutes: 60 })).json<Offering>();
    expect(b.provider?.name).toBe('Nuovo Nome');
    expect(b.location).toEqual({ address: 'Via Propria 2', city: 'Tivoli', lat: 41.96, lon: 12.8 });
    // null: back to the provider's address.
    const c = (await patch(p, own.id, { location: null })).json<Offering>();
    expect(c.location.city).toBe('Frascati');
  });

  it('deactivates even while the users service is down; other changes need it', async () => {
    const p = await provider();
    const o = await created(p);
    env.upstream.usersFailure = 'down';
    const blocked = await patch(p, o.id, { price: { amount: 1, currency: 'EUR' } });
    expect(blocked.statusCode).toBe(502);
    const off = await patch(p, o.id, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<Offering>()).toMatchObject({ active: false, price: { amount: 4500 } });
    env.upstream.usersFailure = null;
    // Inactive offerings stay readable by id (booking refuses them).
    const read = await env.app.inject({ method: 'GET', url: `${BASE}/${o.id}` });
    expect(read.statusCode).toBe(200);
    expect(read.json<Offering>().active).toBe(false);
    const on = await patch(p, o.id, { active: true });
    expect(on.json<Offering>().active).toBe(true);
  });

  it('refuses changes when the profile is gone, but still deactivates', async () => {
    const p = await provider();
    const o = await created(p);
    env.upstream.providers.delete(p.profile.id);
    expect((await patch(p, o.id, { durationMinutes: 60 })).json()).toMatchObject({ code: 'CATALOG_PROVIDER_PROFILE_MISSING' });
    expect((await patch(p, o.id, { active: false })).json<Offering>().active).toBe(false);
  });
});

describe('listing offerings', () => {
  it("lists the caller's own offerings, inactive ones included, page by page", async () => {
    const p = await provider();
    const made: Offering[] = [];
    for (let i = 0; i < 5; i++) made.push(await created(p, input({ price: { amount: 1000 + i, currency: 'EUR' } })));
    await env.app.inject({ method: 'PATCH', url: `${BASE}/${made[1]?.id}`, headers: p.auth, payload: { active: false } });

    const mine = await allPages<Offering>(env.app, `${BASE}?mine=true&limit=2`, p.auth);
    expect(mine.pages).toBe(3);
    expect(mine.items.map((o) => o.id)).toEqual(made.map((o) => o.id));
    const inactive = await allPages<Offering>(env.app, `${BASE}?mine=true&active=false`, p.auth);
    expect(inactive.items.map((o) => o.id)).toEqual([made[1]?.id]);

    const pub = await allPages<Offering>(env.app, `/api/v1/catalog/providers/${p.profile.id}/offerings?limit=2`);
    expect(pub.items.map((o) => o.id)).toEqual(made.filter((_, i) => i !== 1).map((o) => o.id));
  });

  it('answers 404 for an unknown offering', async () => {
    const res = await env.app.inject({ method: 'GET', url: `${BASE}/${newId()}` });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'CATALOG_OFFERING_NOT_FOUND' });
  });
});
