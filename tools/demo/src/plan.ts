// What a demo facility offers, at what price and when it is open. Everything here is a
// pure function of the facility's row: the same row gives the same plan on every run and
// every machine (prices and picks come from a SHA-256 of the facility key and the service
// code, not from Math.random), which is what makes the seeding idempotent.
import { createHash } from 'node:crypto';
import type { AvailabilityInput, Modality, ProviderProfileInput } from '@healthmatch/contracts';
import type { Facility } from './facilities.ts';
import { guessKinds, type BookableKind, type Focus, type KindGuess } from './kinds.ts';
import { facilityAddress, facilityCity, facilityDisplayName } from './names.ts';

/**
 * A catalogue service a demo facility may offer. It is found through the catalog API
 * (`GET /api/v1/catalog/services?q=<query>`) and picked by its national code, never by a
 * stored id. Prices are demo prices in euro cents.
 */
export interface ServiceTemplate {
  /** Code of the national catalogue (DM 23/06/2023), e.g. 89.7A.3. */
  code: string;
  /** Words that find it in the catalog (its name's words; the catalog corrects known typos of the source such as "PRMA"). */
  query: string;
  durationMinutes: number;
  /** Demo price range in cents, both ends included. */
  price: { min: number; max: number; step: number };
}

const t = (code: string, query: string, durationMinutes: number, minEur: number, maxEur: number, stepCents = 100): ServiceTemplate => ({
  code,
  query,
  durationMinutes,
  price: { min: Math.round(minEur * 100), max: Math.round(maxEur * 100), step: stepCents },
});

// Laboratory: a blood draw slot; prices of single tests in private labs.
const LAB_CORE = [t('90.62.2', 'emocromo', 10, 6, 12, 50), t('90.27.1', 'glucosio', 10, 5, 8, 50), t('90.14.3', 'colesterolo totale', 10, 5, 8, 50)];
const LAB_EXTRA = [
  t('90.42.1', 'tireotropina tsh', 10, 12, 25, 50),
  t('90.44.3', 'urine esame completo', 10, 5, 10, 50),
  t('90.28.1', 'emoglobina glicata', 10, 12, 22, 50),
  t('90.72.3', 'proteina c reattiva', 10, 8, 15, 50),
  t('90.22.3', 'ferritina', 10, 10, 20, 50),
  t('90.16.3', 'creatinina', 10, 5, 9, 50),
];

// Imaging.
const IMAGING_CORE = [t('88.76.1', 'ecografia addome completo', 30, 70, 120), t('87.44.1', 'rx torace', 20, 35, 60)];
const IMAGING_EXTRA = [
  t('88.73.1', 'ecografia bilaterale mammella', 20, 60, 100),
  t('87.37.1', 'mammografia bilaterale', 20, 60, 110),
  t('88.99.6', 'densitometria ossea dxa lombare', 20, 45, 80),
  t('88.73.5', 'ecocolordoppler tronchi sovraaortici', 30, 80, 130),
  t('88.71.4', 'diagnostica ecografica capo collo', 20, 60, 100),
  t('88.94.D', 'rm ginocchio', 30, 150, 260),
  t('87.41', 'tc torace', 20, 120, 220),
];

// Rehabilitation: a session is 45 minutes.
const REHAB_CORE = [t('89.7B.3', 'prima visita medicina fisica riabilitazione', 30, 80, 130), t('93.11.1', 'rieducazione motoria individuale', 45, 25, 50)];
const REHAB_EXTRA = [
  t('93.39.2', 'massoterapia drenaggio linfatico', 45, 35, 60),
  t('93.11.9', 'rieducazione pavimento pelvico', 30, 35, 55),
  t('93.18.1', 'rieducazione motoria cardio respiratoria individuale', 45, 30, 50),
  t('93.15', 'manipolazione colonna vertebrale', 30, 40, 70),
];
const SPEECH = [t('93.11.6', 'rieducazione individuale linguaggio', 45, 35, 55), t('93.01.7', 'valutazione monofunzionale voce eloquio', 45, 50, 90)];

/** Specialist visits: a first visit, a follow-up, and for some a test done in the same room. */
interface Specialty {
  first: ServiceTemplate;
  control: ServiceTemplate;
  extra?: ServiceTemplate;
}
const first = (code: string, query: string) => t(code, query, 30, 80, 150, 500);
const control = (code: string, query: string) => t(code, query, 30, 60, 100, 500);
const SPECIALTIES: Record<Exclude<Focus, 'speech'>, Specialty> = {
  cardiology: { first: first('89.7A.3', 'prima visita cardiologica'), control: control('89.01.3', 'visita cardiologica controllo'), extra: t('89.52', 'elettrocardiogramma', 15, 25, 50) },
  ophthalmology: { first: first('95.02', 'prima visita oculistica'), control: control('89.01.D', 'visita oculistica controllo'), extra: t('95.03.3', 'tomografia retinica oct', 20, 60, 100) },
  dermatology: { first: first('89.7A.7', 'prima visita dermatologica'), control: control('89.01.7', 'visita dermatologica controllo') },
  orthopedics: { first: first('89.7B.8', 'prima visita ortopedica'), control: control('89.01.G', 'visita ortopedica controllo') },
  ent: { first: first('89.7B.9', 'prima visita otorinolaringoiatria'), control: control('89.01.H', 'visita otorinolaringoiatrica controllo') },
  endocrinology: { first: first('89.7A.8', 'prima visita endocrinologica'), control: control('89.01.8', 'visita endocrinologica controllo') },
  gastroenterology: { first: first('89.7A.9', 'prima visita gastroenterologica'), control: control('89.01.9', 'visita gastroenterologica controllo') },
  neurology: { first: first('89.13', 'prima visita neurologica'), control: control('89.01.C', 'visita neurologica controllo') },
  urology: { first: first('89.7C.3', 'prima visita urologica'), control: control('89.01.Q', 'visita urologica controllo') },
  gynecology: { first: first('89.26.1', 'prima visita ginecologica'), control: control('89.26.2', 'visita ginecologica controllo'), extra: t('88.78.2', 'ecografia ginecologica', 20, 60, 100) },
  pneumology: { first: first('89.7C.1', 'prima visita pneumologica'), control: control('89.01.L', 'visita pneumologica controllo') },
  dentistry: { first: t('89.7B.6', 'prima visita odontostomatologica', 30, 50, 100, 500), control: t('89.01.E', 'visita odontostomatologica controllo', 30, 40, 80, 500) },
};
/** Specialties a poliambulatorio picks from (dentistry only when the name says so). */
const GENERAL_SPECIALTIES = Object.keys(SPECIALTIES).filter((s) => s !== 'dentistry') as Exclude<Focus, 'speech' | 'dentistry'>[];

/** Every template the plans can use: resolved once against the catalog at the start of a run. */
export const ALL_TEMPLATES: ServiceTemplate[] = dedupe([
  ...LAB_CORE,
  ...LAB_EXTRA,
  ...IMAGING_CORE,
  ...IMAGING_EXTRA,
  ...REHAB_CORE,
  ...REHAB_EXTRA,
  ...SPEECH,
  ...Object.values(SPECIALTIES).flatMap((s) => [s.first, s.control, ...(s.extra ? [s.extra] : [])]),
]);

function dedupe(list: ServiceTemplate[]): ServiceTemplate[] {
  const seen = new Map<string, ServiceTemplate>();
  for (const x of list) if (!seen.has(x.code)) seen.set(x.code, x);
  return [...seen.values()];
}

/** A number in [0, 1) from SHA-256 of the parts: stable across runs, machines and Node versions. */
export function stableFraction(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/** The demo price of a service at a facility: within the template's range, on its step, the same on every run. */
export function demoPrice(facilityKey: string, template: Pick<ServiceTemplate, 'code' | 'price'>, modality: Modality = 'in_person'): number {
  const { min, max, step } = template.price;
  const steps = Math.floor((max - min) / step);
  return min + Math.floor(stableFraction('price', facilityKey, template.code, modality) * (steps + 1)) * step;
}

/** `count` items of `items`, a stable pick per facility (order of the result: as in `items`). */
export function stablePick<T>(facilityKey: string, salt: string, items: readonly T[], count: number, keyOf: (x: T) => string): T[] {
  const ranked = [...items].sort((a, b) => stableFraction(salt, facilityKey, keyOf(a)) - stableFraction(salt, facilityKey, keyOf(b)));
  const chosen = new Set(ranked.slice(0, count));
  return items.filter((x) => chosen.has(x));
}

export interface PlannedOffering {
  template: ServiceTemplate;
  modality: Modality;
  /** Cents, EUR. */
  amount: number;
  durationMinutes: number;
}

export interface FacilityPlan {
  facility: Facility;
  /** Stable key of the facility: the source's N. */
  key: string;
  email: string;
  guess: KindGuess;
  profile: ProviderProfileInput;
  offerings: PlannedOffering[];
  /** null when the facility gets no offerings (nothing to book, so no hours either). */
  availability: AvailabilityInput | null;
}

export const DEMO_EMAIL_DOMAIN = 'demo.healthmatch.invalid';
export const TIME_ZONE = 'Europe/Rome';
export const MIN_NOTICE_MINUTES = 120;

/** The demo account's e-mail: one per row of the source. The .invalid TLD (RFC 2606) can never receive mail. */
export function demoEmail(f: Pick<Facility, 'n'>): string {
  const id = f.n.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `demo-facility-${id}@${DEMO_EMAIL_DOMAIN}`;
}

export function demoBio(f: Facility): string {
  const ids = [`N=${f.n}`, f.idPr ? `ID_PR ${f.idPr}` : '', f.asl ? `ASL ${f.asl}` : ''].filter(Boolean).join(', ');
  return [
    "DATI DIMOSTRATIVI. Scheda generata dall'elenco open data della Regione Lazio delle strutture sanitarie private accreditate (circa 2014); non è un canale di prenotazione reale. Prestazioni, prezzi e orari sono inventati.",
    'DEMO DATA. Generated from the Regione Lazio open data list of accredited private health facilities (about 2014); not a real booking channel. Services, prices and hours are made up.',
    `Fonte / source: ${ids}.`,
  ].join('\n\n');
}

export function demoProfile(f: Facility): ProviderProfileInput {
  return {
    displayName: facilityDisplayName(f.siteName, f.legalName),
    kind: 'facility',
    languages: ['it'],
    address: facilityAddress(f.address, f.comune),
    city: facilityCity(f.comune),
    lat: f.lat,
    lon: f.lon,
    bio: demoBio(f),
    locale: 'it',
    demo: true,
  };
}

const MAX_OFFERINGS = 12;

function visitsFor(key: string, guess: KindGuess): PlannedOffering[] {
  const out: PlannedOffering[] = [];
  const inPerson = (template: ServiceTemplate): PlannedOffering => ({ template, modality: 'in_person', amount: demoPrice(key, template), durationMinutes: template.durationMinutes });
  const focus = guess.focus.filter((f): f is Exclude<Focus, 'speech'> => f !== 'speech');
  if (focus.length > 0) {
    // A named specialty: its first visit, follow-up and test.
    for (const f of focus) {
      const s = SPECIALTIES[f];
      out.push(inPerson(s.first), inPerson(s.control));
      if (s.extra) out.push(inPerson(s.extra));
    }
    if (!guess.multiSpecialty) return out;
  }
  const count = guess.source === 'default' ? 2 : guess.multiSpecialty ? 5 : 3;
  const picked = stablePick(key, 'specialties', GENERAL_SPECIALTIES.filter((s) => !focus.includes(s)), count, (s) => s);
  for (const s of picked) out.push(inPerson(SPECIALTIES[s].first));
  // Poliambulatori also see patients they know by video: the follow-up of one specialty as telehealth.
  const remote = picked[0];
  if (guess.multiSpecialty && remote) {
    const template = SPECIALTIES[remote].control;
    out.push({ template, modality: 'telehealth', amount: demoPrice(key, template, 'telehealth'), durationMinutes: 20 });
  }
  return out;
}

function offeringsFor(key: string, guess: KindGuess): PlannedOffering[] {
  const inPerson = (template: ServiceTemplate): PlannedOffering => ({ template, modality: 'in_person', amount: demoPrice(key, template), durationMinutes: template.durationMinutes });
  const pick = (salt: string, pool: ServiceTemplate[], n: number) => stablePick(key, salt, pool, n, (x) => x.code).map(inPerson);
  const extraCount = (salt: string) => 1 + Math.floor(stableFraction('extras', salt, key) * 3); // 1..3
  const byKind: Record<BookableKind, () => PlannedOffering[]> = {
    laboratory: () => [...LAB_CORE.map(inPerson), ...pick('lab', LAB_EXTRA, extraCount('lab'))],
    imaging: () => [...IMAGING_CORE.map(inPerson), ...pick('imaging', IMAGING_EXTRA, extraCount('imaging'))],
    rehabilitation: () =>
      guess.focus.includes('speech') ? SPEECH.map(inPerson) : [...REHAB_CORE.map(inPerson), ...pick('rehab', REHAB_EXTRA, extraCount('rehab') - 1)],
    outpatient: () => visitsFor(key, guess),
  };
  const all = guess.kinds.flatMap((k) => byKind[k]());
  // One offering per service and modality (two kinds may propose the same service).
  const seen = new Set<string>();
  const unique = all.filter((o) => {
    const id = `${o.template.code}|${o.modality}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  return unique.slice(0, MAX_OFFERINGS);
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

/**
 * Opening hours in Europe/Rome: laboratories alone take samples 07:30-11:30 Monday to
 * Saturday; every other facility is open Monday to Friday 08:00-13:00 and 14:00-18:00.
 * One set of hours per provider: the booking service keeps one agenda per provider.
 */
export function demoHours(guess: Pick<KindGuess, 'kinds'>): AvailabilityInput {
  const labOnly = guess.kinds.length === 1 && guess.kinds[0] === 'laboratory';
  const weekly = labOnly
    ? [...WEEKDAYS, 'sat' as const].map((day) => ({ day, start: '07:30', end: '11:30' }))
    : WEEKDAYS.flatMap((day) => [
        { day, start: '08:00', end: '13:00' },
        { day, start: '14:00', end: '18:00' },
      ]);
  return { timeZone: TIME_ZONE, weekly, exceptions: [], minNoticeMinutes: MIN_NOTICE_MINUTES };
}

export function planFacility(f: Facility): FacilityPlan {
  const key = f.n;
  const guess = guessKinds(f.siteName, f.legalName);
  const offerings = offeringsFor(key, guess);
  return {
    facility: f,
    key,
    email: demoEmail(f),
    guess,
    profile: demoProfile(f),
    offerings,
    availability: offerings.length > 0 ? demoHours(guess) : null,
  };
}
