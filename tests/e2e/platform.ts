// Shared set-up of the end-to-end suite: the whole platform (every service as its own
// process, through the launcher's startPlatform) on free ports, fresh databases with a
// per-run prefix on the server the vitest global set-up provides, and a data folder of
// small invented catalogue rows in the real CSV format. Plus a tiny HTTP client that
// sends request targets byte for byte (path-guard tests need raw `..` and `%2e%2e`).
import { startPlatform, type Platform } from '@healthmatch/launcher';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { simpleParser, type ParsedMail } from 'mailparser';
import { Agent, type Dispatcher } from 'undici';

// ------------------------------------------------------------------ invented data files

/** Invented specialties in the real format (`sistema,codice,descrizione,definizione`); codes are not the real ones. */
export const SPECIALTIES_CSV = [
  'sistema,codice,descrizione,definizione',
  'branca_specialistica_ambulatoriale,E1,Cardiologia,',
  'branca_specialistica_ambulatoriale,E2,Oculistica,',
  'branca_specialistica_ambulatoriale,E3,Diagnostica per immagini - Radiologia diagnostica,',
  'branca_specialistica_ambulatoriale,E9,Altro,',
  'disciplina_ospedaliera,H1,Cardiologia,"Reparto inventato, per le prove"',
  '',
].join('\n');

/** Invented catalogue rows in the real format (`codice,descrizione`): invented codes, quotes, commas, accents. */
export const CATALOGUE_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['E2E.1', 'PRIMA VISITA CARDIOLOGICA. Incluso: ECG'],
  ['E2E.2', 'VISITA CARDIOLOGICA DI CONTROLLO'],
  ['E2E.3', 'PRIMA VISITA OCULISTICA'],
  ['E2E.4', "ECOGRAFIA DELL'ADDOME COMPLETO"],
  ['E2E.5', 'ELETTROCARDIOGRAMMA DINAMICO, "HOLTER" DI PROVA'],
  ['E2E.6', 'MISURAZIONE DELLA VISTA DI PROVA CON LENTI DI CORTESÌA'],
];

export function catalogueCsv(rows: ReadonlyArray<readonly [string, string]> = CATALOGUE_ROWS): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['codice,descrizione', ...rows.map(([c, d]) => `${c},${quote(d)}`), ''].join('\n');
}

// ------------------------------------------------------------------ the platform

export interface E2EPlatform {
  platform: Platform;
  /** Base URL of the gateway: all traffic of the journeys goes through it. */
  gateway: string;
  /** What the launcher logged (its own progress, and warnings/errors of the services). */
  launcherLog: string[];
  /** Echo error lines (the launcher's, and services' error logs) to the console; true by default. */
  echoErrors: boolean;
  /** Where notifications writes its .eml files ('' with SMTP_URL). */
  mailDir: string;
  /** Seconds written here move the notifications clock forward (CLOCK_OFFSET_FILE). */
  clockOffsetFile: string;
  stop(): Promise<void>;
}

/** Environment variables a service process needs from ours; everything else of the test runner stays out. */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'];

export async function startE2EPlatform(opts: { extraEnv?: Record<string, string> } = {}): Promise<E2EPlatform> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'hm-e2e-'));
  const dataFiles = path.join(root, 'data');
  await mkdir(dataFiles, { recursive: true });
  await writeFile(path.join(dataFiles, 'it_catalogo_nazionale_prestazioni.csv'), catalogueCsv());
  await writeFile(path.join(dataFiles, 'it_specialita_branche_discipline.csv'), SPECIALTIES_CSV);

  const baseEnv: NodeJS.ProcessEnv = {};
  for (const k of PASSED_ENV) if (process.env[k] !== undefined) baseEnv[k] = process.env[k];
  baseEnv.LOG_LEVEL = 'info';
  // The launcher decides the transport and the mail target from its base environment.
  for (const k of ['AMQP_URL', 'SMTP_URL']) if (opts.extraEnv?.[k]) baseEnv[k] = opts.extraEnv[k];

  const launcherLog: string[] = [];
  const handle = { echoErrors: true };
  const prefix = `e2e_${process.pid}_${Date.now().toString(36)}_`;
  const removeRoot = () => rm(root, { recursive: true, force: true });
  let platform: Platform;
  try {
    platform = await startPlatform({
      dataDir: path.join(root, 'launcher'),
      ports: 'auto',
      // Set by tests/setup/global-postgres.ts: the embedded server, or TEST_DATABASE_URL.
      adminUrl: process.env.HM_TEST_PG_ADMIN_URL,
      databasePrefix: prefix,
      dropDatabasesOnStop: true,
      baseEnv,
      extraEnv: {
        HEALTHMATCH_DATA_DIR: dataFiles,
        // Dozens of registrations come from one address (127.0.0.1) within a minute; the
        // limit itself is proven by its own low-limit gateway process.
        AUTH_RATE_LIMIT_MAX: '100000',
        RATE_LIMIT_MAX: '100000',
        CLOCK_OFFSET_FILE: path.join(root, 'clock-offset'),
        DELIVERY_POLL_MS: '200',
        ...opts.extraEnv,
      },
      consoleLevel: 'error',
      log: (level, message) => {
        launcherLog.push(`${level}: ${message}`);
        if (level === 'error' && handle.echoErrors) console.error(message);
      },
    });
  } catch (err) {
    // startPlatform stopped whatever it had started; its error carries the failing service's log tail
    await removeRoot();
    throw err;
  }
  const gateway = platform.urls.gateway;
  if (!gateway) throw new Error('the platform started without a gateway');
  const mailDir = platform.mail?.kind === 'files' ? platform.mail.dir : '';
  return {
    platform,
    gateway,
    launcherLog,
    mailDir,
    clockOffsetFile: path.join(root, 'clock-offset'),
    get echoErrors() {
      return handle.echoErrors;
    },
    set echoErrors(v: boolean) {
      handle.echoErrors = v;
    },
    async stop() {
      try {
        await platform.stop();
      } finally {
        if (!process.env.HM_E2E_KEEP_DIR) await removeRoot();
        else console.log(`e2e: logs kept in ${root}`);
      }
    },
  };
}

// ------------------------------------------------------------------ mail

export interface MailFile {
  file: string;
  parsed: ParsedMail;
  raw: string;
}

/** Every .eml under `dir` (notifications' file mode: a folder per day), parsed. */
export async function readMailFiles(dir: string): Promise<MailFile[]> {
  const out: MailFile[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.eml')) {
        const raw = await readFile(full, 'utf8');
        out.push({ file: full, raw, parsed: await simpleParser(raw) });
      }
    }
  };
  await walk(dir);
  return out;
}

/** Waits until `count` mails to `address` match `filter`; fails naming what did arrive. */
export async function waitForMail(dir: string, address: string, count: number, filter: (m: MailFile) => boolean = () => true, timeoutMs = 30_000): Promise<MailFile[]> {
  const deadline = Date.now() + timeoutMs;
  let hits: MailFile[] = [];
  for (;;) {
    const all = await readMailFiles(dir);
    hits = all.filter((m) => m.parsed.to && !Array.isArray(m.parsed.to) && m.parsed.to.value.some((v) => v.address === address) && filter(m));
    if (hits.length >= count || Date.now() > deadline) {
      if (hits.length < count) throw new Error(`expected ${count} mail(s) to ${address}, found ${hits.length}; all subjects: ${all.map((m) => m.parsed.subject).join(' | ') || 'none'}`);
      return hits;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ------------------------------------------------------------------ HTTP

/** Unlimited connections per origin: concurrency tests really are concurrent. */
export const agent = new Agent({ keepAliveTimeout: 2_000, connections: null });

export interface Answer<T = Json> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON when the answer is JSON (problem+json included), otherwise undefined. */
  body: T;
  text: string;
  contentType: string;
}

// Deliberately loose: tests read fields of answers and assert on them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface CallOptions {
  token?: string;
  /** Serialised as JSON with content-type application/json. */
  json?: unknown;
  /** A raw body (sent as is, with the headers given). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/**
 * One HTTP request. `target` is sent exactly as written (no URL normalisation), so
 * `/a/../b` reaches the server as such.
 */
export async function call<T = Json>(base: string, method: string, target: string, opts: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | Buffer | undefined;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  } else if (opts.raw !== undefined) {
    body = opts.raw;
  }
  const res = await agent.request({
    origin: base,
    path: target,
    method: method as Dispatcher.HttpMethod,
    headers,
    body,
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  const contentType = String(res.headers['content-type'] ?? '');
  let parsed: unknown;
  if (/json/.test(contentType) && text.length > 0) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  return { status: res.statusCode, headers: res.headers, body: parsed as T, text, contentType };
}

/** Shorthand bound to one base URL. */
export function client(base: string) {
  return {
    get: <T = Json>(target: string, opts?: CallOptions) => call<T>(base, 'GET', target, opts),
    post: <T = Json>(target: string, opts?: CallOptions) => call<T>(base, 'POST', target, opts),
    put: <T = Json>(target: string, opts?: CallOptions) => call<T>(base, 'PUT', target, opts),
    patch: <T = Json>(target: string, opts?: CallOptions) => call<T>(base, 'PATCH', target, opts),
    delete: <T = Json>(target: string, opts?: CallOptions) => call<T>(base, 'DELETE', target, opts),
    call: <T = Json>(method: string, target: string, opts?: CallOptions) => call<T>(base, method, target, opts),
  };
}
export type Client = ReturnType<typeof client>;

/** Fails with the answer's text when the status is not the expected one (clearer than a bare number mismatch). */
export function expectStatus<T>(res: Answer<T>, status: number, what = ''): Answer<T> {
  if (res.status !== status) {
    throw new Error(`${what ? `${what}: ` : ''}expected HTTP ${status}, got ${res.status}: ${res.text.slice(0, 1000)}`);
  }
  return res;
}

// ------------------------------------------------------------------ users

export interface Account {
  id: string;
  email: string;
  password: string;
  role: 'patient' | 'provider';
  accessToken: string;
  refreshToken: string;
}

let seq = 0;
const runTag = `${process.pid}${Date.now().toString(36)}`;
export const uniqueEmail = (what: string) => `${what}.${runTag}.${++seq}@e2e.healthmatch.test`;
export const PASSWORD = 'correct horse battery staple';

function accountFrom(res: Answer, email: string, password: string, role: 'patient' | 'provider'): Account {
  const b = res.body;
  return { id: b.user.id, email, password, role, accessToken: b.accessToken, refreshToken: b.refreshToken };
}

export async function registerPatient(api: Client, firstName = 'Giulia', lastName = 'Rossi'): Promise<Account> {
  const email = uniqueEmail('patient');
  const res = await api.post('/api/v1/auth/register', {
    json: { email, password: PASSWORD, role: 'patient', profile: { firstName, lastName, phone: '+39 06 1234567', birthDate: '1985-04-12' } },
  });
  expectStatus(res, 201, `register patient ${email}`);
  return accountFrom(res, email, PASSWORD, 'patient');
}

/** A provider in Rome (Piazza Venezia, more or less). */
export const ROME = { address: 'Via del Corso 101', city: 'Roma', lat: 41.8986, lon: 12.4823 };

export async function registerProvider(api: Client, displayName = 'Studio Cardiologico Prova'): Promise<Account> {
  const email = uniqueEmail('provider');
  const res = await api.post('/api/v1/auth/register', {
    json: {
      email,
      password: PASSWORD,
      role: 'provider',
      profile: { displayName, kind: 'practitioner', languages: ['it', 'en'], ...ROME, bio: 'Visite cardiologiche (dati inventati per le prove).' },
    },
  });
  expectStatus(res, 201, `register provider ${email}`);
  return accountFrom(res, email, PASSWORD, 'provider');
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out = new Array<O>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as I, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

// ------------------------------------------------------------------ provider set-up

export const ROME_ZONE = 'Europe/Rome';

/** Mon-Fri 09:00-13:00 and 14:00-18:00 in Rome, 120 minutes notice. */
export const WEEKLY_HOURS = {
  timeZone: ROME_ZONE,
  weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [
    { day, start: '09:00', end: '13:00' },
    { day, start: '14:00', end: '18:00' },
  ]),
  minNoticeMinutes: 120,
};

/** A local date in Rome `days` from today: the booking clock is real, so tests book well ahead. */
export const romeDate = (days: number): string => DateTime.now().setZone(ROME_ZONE).plus({ days }).toISODate() as string;

/** The week of dates [today+7, today+13] in Rome: always five working days, none of them within the notice. */
export const WEEK_AHEAD = { from: romeDate(7), to: romeDate(13) };

export async function findService(api: Client, q: string, codeOrName: RegExp): Promise<Json> {
  const res = expectStatus(await api.get(`/api/v1/catalog/services?q=${encodeURIComponent(q)}`), 200, `services q=${q}`);
  const hit = res.body.items.find((s: Json) => codeOrName.test(s.code) || codeOrName.test(s.name));
  if (!hit) throw new Error(`no catalogue service for ${q} matching ${codeOrName}: ${res.text}`);
  return hit;
}

export interface ProviderSetup {
  provider: Account;
  offering: Json;
}

/** A provider in Rome with one in-person offering of the first cardiology visit and the weekly hours above. */
export async function providerWithOffering(api: Client, displayName: string, opts: { durationMinutes?: number; amount?: number } = {}): Promise<ProviderSetup> {
  const provider = await registerProvider(api, displayName);
  const service = await findService(api, 'prima visita cardiologica', /^E2E\.1$/);
  const offering = expectStatus(
    await api.post('/api/v1/catalog/offerings', {
      token: provider.accessToken,
      json: { serviceId: service.id, price: { amount: opts.amount ?? 9000, currency: 'EUR' }, durationMinutes: opts.durationMinutes ?? 30, modality: 'in_person' },
    }),
    201,
    'create offering',
  ).body;
  expectStatus(await api.put('/api/v1/booking/availability', { token: provider.accessToken, json: WEEKLY_HOURS }), 200, 'put availability');
  return { provider, offering };
}

export async function freeSlots(api: Client, offeringId: string, range = WEEK_AHEAD): Promise<{ start: string; end: string }[]> {
  const res = expectStatus(await api.get(`/api/v1/booking/slots?offeringId=${offeringId}&from=${range.from}&to=${range.to}`), 200, 'slots');
  return res.body.slots;
}

export const isProblem = (res: Answer) =>
  res.contentType.startsWith('application/problem+json') &&
  typeof res.body?.type === 'string' &&
  typeof res.body?.title === 'string' &&
  res.body?.status === res.status &&
  typeof res.body?.code === 'string';
