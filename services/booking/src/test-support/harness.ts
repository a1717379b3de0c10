// Test support for the booking service: the catalog played by a small real HTTP server
// (Offering JSON of our own contract) and the auth service by the kit's token issuer (its
// JWKS served over HTTP), a controllable clock, and an app on a fresh database.
import { fileURLToPath } from 'node:url';
import type { Offering } from '@healthmatch/contracts';
import { createFieldCipher, generateFieldKey, parseFieldKeyRing, runMigrations, type App, type FieldCipher } from '@healthmatch/platform';
import {
  createTestDatabase,
  createTestTokenIssuer,
  sendJson,
  sendProblem,
  startJsonServer,
  type TestDatabase,
  type TestTokenIssuer,
} from '@healthmatch/platform/testing';
import { uuidv7 } from 'uuidv7';
import { buildApp, type BookingAppDeps } from '../app.ts';
import { loadBookingConfig, type BookingConfig } from '../config.ts';
import { createBookingDatabase, type BookingDatabase } from '../db/database.ts';
import type { Clock } from '../domain/ports.ts';

export const MIGRATIONS = fileURLToPath(new URL('../../migrations', import.meta.url));
export const ISSUER = 'healthmatch-auth';
export const AUDIENCE = 'healthmatch';

export const newId = (): string => uuidv7();

/** A FIELD_ENCRYPTION_KEYS value for tests (key id t1). Without one, apps use the local key of their database. */
export const TEST_FIELD_KEYS = `t1:${generateFieldKey()}`;

/** A cipher over TEST_FIELD_KEYS, for repositories and apps built without the start-up key loading. */
export function testFieldCipher(keys = TEST_FIELD_KEYS): FieldCipher {
  return createFieldCipher(parseFieldKeyRing(keys));
}

export class TestClock implements Clock {
  private current: number;
  constructor(iso: string) {
    this.current = Date.parse(iso);
  }
  now(): Date {
    return new Date(this.current);
  }
  set(iso: string): void {
    this.current = Date.parse(iso);
  }
}

export function makeOffering(overrides: Partial<Offering> & { providerId: string }): Offering {
  return {
    id: newId(),
    service: { id: newId(), code: 'V001', name: 'Visita cardiologica' },
    specialty: { code: '08', name: 'Cardiologia', derived: true },
    price: { amount: 4500, currency: 'EUR' },
    durationMinutes: 30,
    modality: 'in_person',
    location: { address: 'Via Roma 1', city: 'Roma', lat: 41.9, lon: 12.5 },
    active: true,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

export interface FakeUpstream {
  /** The catalog's base URL. */
  url: string;
  /** The auth service's base URL (JWKS at /.well-known/jwks.json). */
  authUrl: string;
  issuer: TestTokenIssuer;
  offerings: Map<string, unknown>;
  /** x-request-id of every catalog call, in order. */
  catalogRequestIds: string[];
  /** When set, the catalog answers this status with a problem body. */
  catalogFailure: number | null;
  token(sub: string, role: 'patient' | 'provider' | 'admin'): Promise<string>;
  close(): Promise<void>;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const issuer = await createTestTokenIssuer({ issuer: ISSUER, audience: AUDIENCE });
  const auth = await issuer.serve();
  const state: Pick<FakeUpstream, 'offerings' | 'catalogRequestIds' | 'catalogFailure'> = {
    offerings: new Map(),
    catalogRequestIds: [],
    catalogFailure: null,
  };
  const catalog = await startJsonServer((req, res) => {
    const m = /^\/api\/v1\/catalog\/offerings\/([^/]+)$/.exec(req.path);
    if (req.method !== 'GET' || !m) return sendProblem(res, 404, 'NOT_FOUND');
    state.catalogRequestIds.push(String(req.headers['x-request-id'] ?? ''));
    if (state.catalogFailure !== null) return sendProblem(res, state.catalogFailure, 'INTERNAL');
    const offering = state.offerings.get(decodeURIComponent(m[1]!));
    if (offering === undefined) return sendProblem(res, 404, 'CATALOG_OFFERING_NOT_FOUND');
    return sendJson(res, 200, offering);
  });

  return Object.assign(state, {
    url: catalog.url,
    authUrl: auth.url,
    issuer,
    token: (sub: string, role: 'patient' | 'provider' | 'admin') => issuer.sign({ sub, role }),
    async close() {
      await catalog.close();
      await auth.close();
    },
  });
}

export function testConfig(databaseUrl: string, upstream: Pick<FakeUpstream, 'url' | 'authUrl'>, env: Record<string, string | undefined> = {}): BookingConfig {
  return loadBookingConfig({
    DATABASE_URL: databaseUrl,
    CATALOG_URL: upstream.url,
    AUTH_URL: upstream.authUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
    ...env,
  });
}

export interface BookingTestEnv {
  app: App;
  upstream: FakeUpstream;
  clock: TestClock;
  config: BookingConfig;
  testDb: TestDatabase;
  /** Another app instance with its own pool on the same database. */
  secondApp(): Promise<App>;
  /** Another app on the same database with these variables over the env's (e.g. FIELD_ENCRYPTION_KEYS); closed with the env. */
  appWith(env: Record<string, string | undefined>): Promise<App>;
  close(): Promise<void>;
}

/**
 * A fresh database with the migrations applied and an app on it (logs silenced). Field
 * keys: `opts.env` FIELD_ENCRYPTION_KEYS if given, else the local key of the database.
 * `opts.migrate` replaces the migration step (tests of a database from an older version).
 */
export async function startBookingTestEnv(
  prefix: string,
  opts: { now?: string; deps?: BookingAppDeps; env?: Record<string, string | undefined>; migrate?: (url: string) => Promise<void> } = {},
): Promise<BookingTestEnv> {
  const testDb = await createTestDatabase(prefix);
  await (opts.migrate ?? ((url: string) => runMigrations(url, MIGRATIONS, 'booking')))(testDb.url);
  const upstream = await startFakeUpstream();
  const clock = new TestClock(opts.now ?? '2026-03-02T06:00:00Z');
  const config = testConfig(testDb.url, upstream, opts.env);
  const apps: App[] = [];
  const make = async (c: BookingConfig = config) => {
    const app = await buildApp(c, { logger: false, clock, ...opts.deps });
    apps.push(app);
    return app;
  };
  const app = await make();
  return {
    app,
    upstream,
    clock,
    config,
    testDb,
    secondApp: () => make(),
    appWith: (env) => make(testConfig(testDb.url, upstream, { ...opts.env, ...env })),
    async close() {
      for (const a of apps) await a.close();
      await upstream.close();
      await testDb.drop();
    },
  };
}

/** A direct pool on a test database, for assertions the API does not expose. */
export function openDatabase(url: string): BookingDatabase {
  return createBookingDatabase(url, { max: 2 });
}

/** Weekday hours used by most tests: Europe/Rome, Mon-Fri 09:00-12:00 and 14:00-17:00. */
export const ROME_WEEKDAYS = {
  timeZone: 'Europe/Rome',
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
    { day, start: '09:00', end: '12:00' },
    { day, start: '14:00', end: '17:00' },
  ]),
  exceptions: [] as Array<{ date: string; closed?: boolean; intervals?: Array<{ start: string; end: string }> }>,
  minNoticeMinutes: 60,
};

export interface RouteTestEnv {
  app: App;
  upstream: FakeUpstream;
  clock: TestClock;
  close(): Promise<void>;
}

/**
 * An app whose database is unreachable, for route tests of everything decided before the
 * database is asked (auth, validation, catalog answers). A test that reaches the database
 * fails loudly instead of passing by accident.
 */
export async function startRouteTestEnv(now = '2026-03-02T06:00:00Z'): Promise<RouteTestEnv> {
  const upstream = await startFakeUpstream();
  const clock = new TestClock(now);
  // The field keys come from the database by default: a given cipher skips that.
  const app = await buildApp(testConfig('postgres://nobody@127.0.0.1:1/unreachable', upstream), { logger: false, clock, fieldCipher: testFieldCipher() });
  return {
    app,
    upstream,
    clock,
    async close() {
      await app.close();
      await upstream.close();
    },
  };
}
