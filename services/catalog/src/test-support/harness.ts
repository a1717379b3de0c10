// Test support for the catalog service: the users service played by a small real HTTP
// server (PublicProvider of our own contract) and the auth service by the kit's token
// issuer (its JWKS served over HTTP); small invented source files in the real format; a
// fresh database per file.
import type { PublicProvider } from '@healthmatch/contracts';
import type { App } from '@healthmatch/platform';
import {
  createTestDatabase,
  createTestTokenIssuer,
  sendJson,
  sendProblem,
  startJsonServer,
  type TestDatabase,
  type TestTokenIssuer,
} from '@healthmatch/platform/testing';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { uuidv7 } from 'uuidv7';
import { buildApp, type CatalogDeps } from '../app.ts';
import { loadCatalogConfig, type CatalogConfig } from '../config.ts';
import { createCatalogDatabase, migrateCatalogDatabase, type CatalogDatabase } from '../db/database.ts';
import { CATALOGUE_FILE, SPECIALTIES_FILE } from '../domain/csv-sources.ts';

export const ISSUER = 'test-issuer';
export const AUDIENCE = 'test-audience';

export const newId = (): string => uuidv7();

// ---------------------------------------------------------------- invented source files

/** Invented specialties in the real format; codes differ from the real file on purpose. */
export const SPECIALTIES_CSV = [
  'sistema,codice,descrizione,definizione',
  'branca_specialistica_ambulatoriale,K1,Cardiologia,',
  'branca_specialistica_ambulatoriale,K2,Oculistica,',
  'branca_specialistica_ambulatoriale,K3,Diagnostica per immagini - Radiologia diagnostica,',
  'branca_specialistica_ambulatoriale,K4,"Lab. analisi di prova, microbiologia",',
  'branca_specialistica_ambulatoriale,K9,Altro,',
  'disciplina_ospedaliera,H1,Cardiologia,"Reparto di prova, con virgola"',
].join('\n');

/** Invented catalogue rows in the real format (quotes, commas, accents, notes). */
export const CATALOGUE_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['T1.01', 'PRIMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG'],
  ['T1.02', 'VISITA CARDIOLOGICA DI CONTROLLO DI PROVA'],
  ['T2.01', 'PRIMA VISITA OCULISTICA DI PROVA'],
  ['T2.02', 'ESAME DI PROVA DEL FONDO OCULARE. Incluso: visita oculistica'],
  ['88.99.1', "ECOGRAFÌA DELL'ADDOME DI PROVA"],
  ['88.99.2', 'ECOGRAFIA DEL COLLO, DI PROVA'],
  ['90.99.1', 'DOSAGGIO DI PROVA [U]'],
  ['T9.01', 'PRIMA VISITA GENERICA DI PROVA'],
];

export function catalogueCsv(rows: ReadonlyArray<readonly [string, string]> = CATALOGUE_ROWS): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['codice,descrizione', ...rows.map(([c, d]) => `${c},${quote(d)}`)].join('\n');
}

export interface DataDir {
  dir: string;
  write(files: { catalogue?: string; specialties?: string }): Promise<void>;
  remove(): Promise<void>;
}

/** A temporary data folder holding the invented files. */
export async function makeDataDir(files: { catalogue?: string; specialties?: string } = {}): Promise<DataDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'hm-catalog-data-'));
  const write = async (f: { catalogue?: string; specialties?: string }) => {
    if (f.catalogue !== undefined) await writeFile(path.join(dir, CATALOGUE_FILE), f.catalogue);
    if (f.specialties !== undefined) await writeFile(path.join(dir, SPECIALTIES_FILE), f.specialties);
  };
  await write({ catalogue: files.catalogue ?? catalogueCsv(), specialties: files.specialties ?? SPECIALTIES_CSV });
  return { dir, write, remove: () => rm(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------- fake users + auth

export type Role = 'patient' | 'provider' | 'admin';

export interface FakeUpstream {
  /** The users service's base URL. */
  url: string;
  /** The auth service's base URL (JWKS at /.well-known/jwks.json). */
  authUrl: string;
  issuer: TestTokenIssuer;
  providers: Map<string, PublicProvider>;
  /** Calls to GET /api/v1/providers/{id}: id, x-request-id and authorization of each. */
  providerCalls: { id: string; requestId: string; authorization: string }[];
  /** 'down': connections are cut; a number: that status with a problem body. */
  usersFailure: 'down' | number | null;
  token(sub: string, role: Role): Promise<string>;
  close(): Promise<void>;
}

export function makeProvider(overrides: Partial<PublicProvider> = {}): PublicProvider {
  return {
    id: newId(),
    displayName: 'Studio Medico Di Prova',
    kind: 'facility',
    languages: ['it'],
    address: 'Via di Prova 1',
    city: 'Roma',
    lat: 41.9028,
    lon: 12.4964,
    bio: null,
    demo: false,
    ...overrides,
  };
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const issuer = await createTestTokenIssuer({ issuer: ISSUER, audience: AUDIENCE });
  const auth = await issuer.serve();
  const state: Pick<FakeUpstream, 'providers' | 'providerCalls' | 'usersFailure'> = {
    providers: new Map(),
    providerCalls: [],
    usersFailure: null,
  };
  const users = await startJsonServer((req, res) => {
    const m = /^\/api\/v1\/providers\/([^/]+)$/.exec(req.path);
    if (req.method !== 'GET' || !m) return sendProblem(res, 404, 'NOT_FOUND');
    const id = decodeURIComponent(m[1] ?? '');
    state.providerCalls.push({ id, requestId: String(req.headers['x-request-id'] ?? ''), authorization: String(req.headers.authorization ?? '') });
    if (state.usersFailure === 'down') return void req.raw.socket.destroy(); // the connection is cut
    if (typeof state.usersFailure === 'number') return sendProblem(res, state.usersFailure, 'INTERNAL');
    const provider = state.providers.get(id);
    if (!provider) return sendProblem(res, 404, 'USERS_PROFILE_NOT_FOUND');
    return sendJson(res, 200, provider);
  });
  return Object.assign(state, {
    url: users.url,
    authUrl: auth.url,
    issuer,
    token: (sub: string, role: Role) => issuer.sign({ sub, role }),
    async close() {
      await users.close();
      await auth.close();
    },
  });
}

export function testConfig(databaseUrl: string, upstream: Pick<FakeUpstream, 'url' | 'authUrl'>, dataDir?: string): CatalogConfig {
  return loadCatalogConfig({
    DATABASE_URL: databaseUrl,
    USERS_URL: upstream.url,
    AUTH_URL: upstream.authUrl,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOG_LEVEL: 'silent',
    USERS_TIMEOUT_MS: '2000',
    HEALTHMATCH_DATA_DIR: dataDir,
  });
}

// ---------------------------------------------------------------- environments

export interface CatalogTestEnv {
  app: App;
  upstream: FakeUpstream;
  data: DataDir;
  testDb: TestDatabase;
  database: CatalogDatabase;
  /** A direct query on the test database, for assertions the API does not expose. */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** Another app instance with its own pool on the same database. */
  secondApp(deps?: Partial<CatalogDeps>): Promise<App>;
  close(): Promise<void>;
}

/**
 * A fresh database with the migrations applied, the invented catalogue imported (unless
 * `importCatalogue: false`), and an app on it with logs silenced.
 */
export async function startCatalogTestEnv(prefix: string, opts: { importCatalogue?: boolean; deps?: Partial<CatalogDeps> } = {}): Promise<CatalogTestEnv> {
  const testDb = await createTestDatabase(prefix);
  await migrateCatalogDatabase(testDb.url);
  const upstream = await startFakeUpstream();
  const data = await makeDataDir();
  const config = testConfig(testDb.url, upstream, data.dir);
  const databases: CatalogDatabase[] = [];
  const apps: App[] = [];
  const make = async (deps: Partial<CatalogDeps> = {}) => {
    const database = createCatalogDatabase(testDb.url, { max: 4 });
    databases.push(database);
    const app = await buildApp(config, { database, logger: false, dataDir: data.dir, ...opts.deps, ...deps });
    apps.push(app);
    return app;
  };
  const app = await make();
  if (opts.importCatalogue !== false) await app.catalogueImporter.run('startup');
  const database = databases[0]!;
  return {
    app,
    upstream,
    data,
    testDb,
    database,
    async query<T>(text: string, params: unknown[] = []) {
      const res = await database.pool.query(text, params);
      return res.rows as T[];
    },
    secondApp: make,
    async close() {
      for (const a of apps) await a.close();
      for (const d of databases) await d.close();
      await upstream.close();
      await data.remove();
      await testDb.drop();
    },
  };
}

export interface RouteTestEnv {
  app: App;
  upstream: FakeUpstream;
  close(): Promise<void>;
}

/**
 * An app whose database is unreachable, for route tests of everything decided before the
 * database is asked (auth, validation). A test that reaches the database fails loudly
 * instead of passing by accident.
 */
export async function startRouteTestEnv(): Promise<RouteTestEnv> {
  const upstream = await startFakeUpstream();
  const database = createCatalogDatabase('postgres://nobody@127.0.0.1:1/unreachable', { max: 1 });
  const app = await buildApp(testConfig('postgres://nobody@127.0.0.1:1/unreachable', upstream), { database, logger: false, dataDir: '/nonexistent' });
  return {
    app,
    upstream,
    async close() {
      await app.close();
      await database.close();
      await upstream.close();
    },
  };
}

/** Every page of a listing, following nextCursor. */
export async function allPages<T>(app: App, url: string, headers: Record<string, string> = {}): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = url.includes('?') ? '&' : '?';
    const res: { statusCode: number; body: string; json<B>(): B } = await app.inject({ method: 'GET', url: cursor ? `${url}${sep}cursor=${cursor}` : url, headers });
    if (res.statusCode !== 200) throw new Error(`GET ${url} answered ${res.statusCode}: ${res.body}`);
    const body: { items: T[]; nextCursor: string | null } = res.json();
    items.push(...body.items);
    cursor = body.nextCursor;
    pages += 1;
    if (pages > 1000) throw new Error('pagination does not end');
  } while (cursor);
  return { items, pages };
}
