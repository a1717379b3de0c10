// The seeder against a small in-memory stand-in of auth, users, catalog and booking that
// speaks the contracts' DTOs over real HTTP. The real platform is exercised by the e2e tests.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Availability, CatalogService, Offering, ProviderProfile } from '@healthmatch/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HealthMatchApi } from './api.ts';
import { parseFacilities } from './facilities.ts';
import { HttpClient } from './http.ts';
import { ALL_TEMPLATES, planFacility, type FacilityPlan, type ServiceTemplate } from './plan.ts';
import { resolveTemplates, sameAvailability, seedFacility, type Resolution, type SeedContext } from './seeder.ts';
import { csvOf, row } from './test-rows.ts';

interface Account {
  id: string;
  email: string;
  password: string;
  role: 'provider' | 'patient';
}

/** [code, description as published, name as the catalog shows it (default: the description)]. */
const CATALOGUE: [string, string, string?][] = [
  ['90.62.2', 'EMOCROMO: ESAME EMOCROMOCITOMETRICO'],
  ['90.27.1', 'GLUCOSIO'],
  ['90.14.3', 'COLESTEROLO TOTALE'],
  ['90.42.1', 'TIREOTROPINA (TSH)'],
  ['90.44.3', 'URINE ESAME COMPLETO'],
  ['90.28.1', 'Hb - EMOGLOBINA GLICATA'],
  ['90.72.3', 'PROTEINA C REATTIVA (Quantitativa)'],
  ['90.22.3', 'FERRITINA'],
  ['90.16.3', 'CREATININA'],
  ['89.7A.3', 'PRMA VISITA CARDIOLOGICA', 'Prima visita cardiologica'], // the source's typo, corrected in the catalog's name and words
  ['89.01.3', 'VISITA CARDIOLOGICA DI CONTROLLO'],
];

const words = (s: string) => s.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

class FakePlatform {
  accounts = new Map<string, Account>();
  profiles = new Map<string, ProviderProfile>();
  services: CatalogService[] = CATALOGUE.map(([code, description, name]) => ({ id: randomUUID(), code, name: name ?? description, description, specialty: null }));
  offerings: Offering[] = [];
  availability = new Map<string, Availability>();
  writes: string[] = [];
  /** Faults to inject: how many times. */
  faults = { registerUnavailable: 0, offeringAnswerLost: 0 };
  server: Server = createServer((req, res) => void this.handle(req, res));
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.accounts.clear();
    this.profiles.clear();
    this.offerings = [];
    this.availability.clear();
    this.writes = [];
    this.faults = { registerUnavailable: 0, offeringAnswerLost: 0 };
  }

  private session(a: Account) {
    return { user: { id: a.id, email: a.email, role: a.role }, accessToken: `tok-${a.id}`, refreshToken: 'r'.repeat(43), expiresIn: 900 };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const url = new URL(req.url ?? '/', this.url);
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const problem = (status: number, code: string) => send(status, { type: 'about:blank', title: code, status, code });
    const token = (req.headers.authorization ?? '').replace(/^Bearer tok-/, '');
    const caller = [...this.accounts.values()].find((a) => a.id === token);
    const route = `${req.method} ${url.pathname}`;

    if (url.pathname === '/readyz') return send(200, { status: 'ready' });
    if (route === 'POST /api/v1/auth/register') {
      if (this.faults.registerUnavailable > 0) {
        this.faults.registerUnavailable--;
        return problem(503, 'SERVICE_UNAVAILABLE');
      }
      if (this.accounts.has(body.email)) return problem(409, 'AUTH_EMAIL_TAKEN');
      const a: Account = { id: randomUUID(), email: body.email, password: body.password, role: body.role };
      this.accounts.set(a.email, a);
      const p = body.profile;
      this.profiles.set(a.id, { id: a.id, role: 'provider', email: a.email, ...p, bio: p.bio ?? null, demo: p.demo ?? false, locale: p.locale ?? 'it', createdAt: '', updatedAt: '' });
      this.writes.push('register');
      return send(201, this.session(a));
    }
    if (route === 'POST /api/v1/auth/login') {
      const a = this.accounts.get(body.email);
      if (!a || a.password !== body.password) return problem(401, 'AUTH_INVALID_CREDENTIALS');
      return send(200, this.session(a));
    }
    if (route === 'GET /api/v1/catalog/services') {
      const tokens = words(url.searchParams.get('q') ?? '');
      return send(200, { items: this.services.filter((s) => tokens.every((t) => words(`${s.code} ${s.name}`).some((w) => w.startsWith(t)))), nextCursor: null });
    }
    if (!caller) return problem(401, 'UNAUTHENTICATED');
    if (route === 'GET /api/v1/users/me') return send(200, this.profiles.get(caller.id));
    if (route === 'PATCH /api/v1/users/me') {
      const p = this.profiles.get(caller.id) as ProviderProfile;
      this.profiles.set(caller.id, { ...p, ...body });
      this.writes.push('patch-profile');
      return send(200, this.profiles.get(caller.id));
    }
    if (route === 'GET /api/v1/catalog/offerings') {
      const mine = this.offerings.filter((o) => o.providerId === caller.id);
      // two items per page, to exercise the cursor
      const start = Number(url.searchParams.get('cursor') ?? '0');
      const next = start + 2 < mine.length ? String(start + 2) : null;
      return send(200, { items: mine.slice(start, start + 2), nextCursor: next });
    }
    if (route === 'POST /api/v1/catalog/offerings') {
      const service = this.services.find((s) => s.id === body.serviceId);
      if (!service) return problem(422, 'CATALOG_UNKNOWN_SERVICE');
      const p = this.profiles.get(caller.id) as ProviderProfile;
      const o: Offering = {
        id: randomUUID(),
        providerId: caller.id,
        service: { id: service.id, code: service.code, name: service.name },
        specialty: null,
        provider: { id: caller.id, name: p.displayName, city: p.city, demo: p.demo },
        price: body.price,
        durationMinutes: body.durationMinutes,
        modality: body.modality,
        location: { address: p.address, city: p.city, lat: p.lat, lon: p.lon },
        active: true,
        createdAt: '',
        updatedAt: '',
      };
      this.offerings.push(o);
      this.writes.push('post-offering');
      if (this.faults.offeringAnswerLost > 0) {
        this.faults.offeringAnswerLost--;
        req.socket.destroy(); // stored, but the answer never arrives
        return;
      }
      return send(201, o);
    }
    const patchOffering = /^PATCH \/api\/v1\/catalog\/offerings\/([0-9a-f-]+)$/.exec(route);
    if (patchOffering) {
      const o = this.offerings.find((x) => x.id === patchOffering[1] && x.providerId === caller.id);
      if (!o) return problem(404, 'CATALOG_OFFERING_NOT_FOUND');
      Object.assign(o, body, { provider: { ...o.provider, name: this.profiles.get(caller.id)?.displayName } });
      this.writes.push('patch-offering');
      return send(200, o);
    }
    if (route === 'GET /api/v1/booking/availability') {
      const a = this.availability.get(caller.id);
      return a ? send(200, a) : problem(404, 'BOOKING_NO_AVAILABILITY');
    }
    if (route === 'PUT /api/v1/booking/availability') {
      const a: Availability = { providerId: caller.id, timeZone: body.timeZone, weekly: body.weekly, exceptions: body.exceptions ?? [], minNoticeMinutes: body.minNoticeMinutes ?? 120, maxAdvanceDays: body.maxAdvanceDays ?? 180, updatedAt: '' };
      this.availability.set(caller.id, a);
      this.writes.push('put-availability');
      return send(200, a);
    }
    return problem(404, 'NOT_FOUND');
  }
}

const fake = new FakePlatform();
let http: HttpClient;
let api: HealthMatchApi;
let resolution: Resolution;
const PASSWORD = 'test-password-123';
const noWait = async () => {};

const plans: FacilityPlan[] = parseFacilities(
  csvOf([
    row({ N: '1', 'NOME PRESIDIO': 'LABORATORIO ANALISI ALFA' }),
    row({ N: '2', 'NOME PRESIDIO': 'CARDIOLOGIA BETA S.R.L.' }),
    row({ N: '3', 'NOME PRESIDIO': 'RSA VILLA GAMMA' }),
  ]),
).facilities.map(planFacility);

const ctx = (): SeedContext => ({ api, password: PASSWORD, resolution, sleep: noWait });
const seedAll = async (list = plans) => {
  const out = [];
  for (const p of list) out.push(await seedFacility(ctx(), p));
  return out;
};

beforeAll(async () => {
  await fake.start();
  http = new HttpClient({ baseDelayMs: 1, maxDelayMs: 2, sleep: noWait });
  api = new HealthMatchApi(http, { urls: { auth: fake.url, users: fake.url, catalog: fake.url, booking: fake.url } });
  resolution = await resolveTemplates(api);
});
afterAll(async () => {
  await http.close();
  await fake.stop();
});
beforeEach(() => fake.reset());

describe('resolveTemplates', () => {
  it('finds services by words and code, reports the rest, and stores no ids', async () => {
    expect(resolution.byCode.get('89.7A.3')).toMatchObject({ how: 'code', service: { code: '89.7A.3' } });
    expect(resolution.byCode.get('90.62.2')?.service.id).toBe(fake.services[0]?.id);
    expect(resolution.missing.map((t) => t.code)).toContain('88.76.1'); // not in this small catalogue
    const tpl: ServiceTemplate = { code: '99.99.9', query: 'emocromo', durationMinutes: 10, price: { min: 500, max: 500, step: 50 } };
    const r = await resolveTemplates(api, [tpl]);
    expect(r.byCode.get('99.99.9')).toMatchObject({ how: 'words', service: { code: '90.62.2' } });
    expect(r.byWords).toEqual([tpl]);
  });

  it('finds the first cardiology visit by the words of its name, as the catalog spells it', async () => {
    const visit = ALL_TEMPLATES.find((t) => t.code === '89.7A.3');
    expect(visit?.query).toBe('prima visita cardiologica');
    expect((await api.findServices(visit!.query)).map((s) => s.code)).toEqual(['89.7A.3']);
  });
});

describe('sameAvailability', () => {
  const current: Availability = {
    providerId: randomUUID(),
    timeZone: 'Europe/Rome',
    weekly: [{ day: 'mon', start: '09:00', end: '13:00' }],
    exceptions: [],
    minNoticeMinutes: 120,
    maxAdvanceDays: 180,
    updatedAt: '2026-03-01T10:00:00.000Z',
  };
  it('compares the booking horizon only when the plan sets one', () => {
    const wanted = { timeZone: 'Europe/Rome', weekly: [{ day: 'mon' as const, start: '09:00', end: '13:00' }], exceptions: [], minNoticeMinutes: 120 };
    expect(sameAvailability(current, wanted)).toBe(true);
    expect(sameAvailability(current, { ...wanted, maxAdvanceDays: 180 })).toBe(true);
    expect(sameAvailability(current, { ...wanted, maxAdvanceDays: 90 })).toBe(false);
  });
});

describe('seedFacility', () => {
  it('creates accounts, offerings and hours, and a second run changes nothing', async () => {
    const first = await seedAll();
    expect(first.map((o) => [o.account, o.profile, o.availability, o.error])).toEqual([
      ['created', 'new', 'set', undefined],
      ['created', 'new', 'set', undefined],
      ['created', 'new', 'none', undefined],
    ]);
    const lab = plans[0] as FacilityPlan;
    expect(first[0]?.offerings.created).toBe(lab.offerings.length);
    expect(first[1]?.offerings).toMatchObject({ created: 2, unresolved: 1 }); // ECG 89.52 is not in the small catalogue
    expect(first[2]?.offerings.created).toBe(0);
    expect(fake.accounts.get(lab.email)?.role).toBe('provider');
    expect([...fake.profiles.values()].every((p) => p.demo && p.kind === 'facility')).toBe(true);
    const prices = fake.offerings.filter((o) => o.providerId === fake.accounts.get(lab.email)?.id).map((o) => o.price.amount);
    expect(prices).toEqual(lab.offerings.map((o) => o.amount));

    const writes = fake.writes.length;
    const offerings = fake.offerings.length;
    const second = await seedAll();
    expect(second.map((o) => [o.account, o.profile, o.availability, o.offerings.created, o.error])).toEqual([
      ['existing', 'unchanged', 'unchanged', 0, undefined],
      ['existing', 'unchanged', 'unchanged', 0, undefined],
      ['existing', 'unchanged', 'none', 0, undefined],
    ]);
    expect(second[0]?.offerings.existing).toBe(lab.offerings.length);
    expect(fake.writes.length).toBe(writes);
    expect(fake.offerings.length).toBe(offerings);
  });

  it('does not duplicate an offering whose creation answer was lost', async () => {
    fake.faults.offeringAnswerLost = 2;
    const [out] = await seedAll([plans[0] as FacilityPlan]);
    const wanted = (plans[0] as FacilityPlan).offerings.length;
    expect(out?.error).toBeUndefined();
    expect(out?.offerings.created).toBe(wanted);
    expect(fake.offerings).toHaveLength(wanted);
    expect(new Set(fake.offerings.map((o) => o.service.id)).size).toBe(wanted);
  });

  it('retries a registration the platform could not take yet', async () => {
    fake.faults.registerUnavailable = 2;
    const [out] = await seedAll([plans[1] as FacilityPlan]);
    expect(out?.account).toBe('created');
    expect(out?.error).toBeUndefined();
    expect(fake.accounts.size).toBe(1);
  });

  it('brings an existing profile and prices in line with the plan, refreshing the offerings', async () => {
    await seedAll([plans[1] as FacilityPlan]);
    const changed: FacilityPlan = structuredClone(plans[1] as FacilityPlan);
    changed.profile.displayName = 'Cardiologia Beta (nuovo nome)';
    const firstOffering = changed.offerings[0];
    if (firstOffering) firstOffering.amount += 500;
    const [out] = await seedAll([changed]);
    expect(out).toMatchObject({ account: 'existing', profile: 'updated', offerings: { created: 0, updated: 1, refreshed: 1 } });
    expect([...fake.profiles.values()][0]?.displayName).toBe('Cardiologia Beta (nuovo nome)');
    expect(fake.offerings.every((o) => o.provider?.name === 'Cardiologia Beta (nuovo nome)')).toBe(true);
  });

  it('reports an account it cannot open without touching it', async () => {
    await seedAll([plans[0] as FacilityPlan]);
    const out = await seedFacility({ ...ctx(), password: 'another-password' }, plans[0] as FacilityPlan);
    expect(out.account).toBe('failed');
    expect(out.error).toMatch(/exists but DEMO_PASSWORD does not open it/);
    expect(out.networkFailure).toBe(false);
  });

  it('leaves alone an account with a demo e-mail that is not marked demo', async () => {
    const plan = structuredClone(plans[0] as FacilityPlan);
    plan.profile.demo = false;
    await seedAll([plan]);
    const [out] = await seedAll([plans[0] as FacilityPlan]);
    expect(out?.error).toMatch(/not marked as demo data/);
  });

  it('reports an unreachable platform as a network failure', async () => {
    const offline = new HealthMatchApi(http, { urls: { auth: 'http://127.0.0.1:9', users: 'http://127.0.0.1:9', catalog: 'http://127.0.0.1:9', booking: 'http://127.0.0.1:9' } });
    const out = await seedFacility({ ...ctx(), api: offline }, plans[0] as FacilityPlan);
    expect(out.networkFailure).toBe(true);
    expect(out.error).toMatch(/no answer/);
    expect((await offline.readiness()).every((r) => !r.ok)).toBe(true);
  });
});
