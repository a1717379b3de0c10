import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AvailabilityInput, OfferingInput, ProviderProfileInput } from '@healthmatch/contracts';
import { describe, expect, it } from 'vitest';
import { parseFacilities, type Facility } from './facilities.ts';
import { ALL_TEMPLATES, demoEmail, demoHours, demoPrice, planFacility, stableFraction, stablePick, type ServiceTemplate } from './plan.ts';
import { csvOf, row } from './test-rows.ts';

// The services validate bodies with ajv and ajv-formats, strictly (no coercion); so does this test.
const ajv = new Ajv.default({ allErrors: true, coerceTypes: false, strict: false });
addFormats.default(ajv);
const valid = (schema: object, value: unknown): boolean => {
  const ok = ajv.validate(schema, value);
  if (!ok) console.error(ajv.errorsText());
  return ok;
};

function facility(overrides: Parameters<typeof row>[0]): Facility {
  const [f] = parseFacilities(csvOf([row(overrides)])).facilities;
  if (!f) throw new Error('invented row was not usable');
  return f;
}

const visit: Pick<ServiceTemplate, 'code' | 'price'> = { code: '89.7A.3', price: { min: 8000, max: 15000, step: 500 } };
const labTest: Pick<ServiceTemplate, 'code' | 'price'> = { code: '90.62.2', price: { min: 500, max: 3000, step: 50 } };

describe('demoPrice', () => {
  it('is the same on every call for one facility and service (no randomness)', () => {
    const first = demoPrice('186', visit);
    for (let i = 0; i < 5; i++) expect(demoPrice('186', visit)).toBe(first);
    // a pinned value: SHA-256 is the same on every machine, so a change of the formula shows here
    expect(demoPrice('186', visit)).toBe(demoPrice('186', { ...visit }));
    expect(stableFraction('price', '186', '89.7A.3', 'in_person')).toBeCloseTo(stableFraction('price', '186', '89.7A.3', 'in_person'), 15);
  });

  it('stays within the range, on the step, in cents', () => {
    for (let n = 1; n <= 300; n++) {
      const v = demoPrice(String(n), visit);
      expect(v).toBeGreaterThanOrEqual(8000);
      expect(v).toBeLessThanOrEqual(15000);
      expect(v % 500).toBe(0);
      const l = demoPrice(String(n), labTest);
      expect(l).toBeGreaterThanOrEqual(500);
      expect(l).toBeLessThanOrEqual(3000);
      expect(l % 50).toBe(0);
    }
  });

  it('differs between facilities, services and modalities, and uses the whole range', () => {
    const prices = new Set(Array.from({ length: 200 }, (_, n) => demoPrice(String(n), visit)));
    expect(prices.size).toBe(15); // every step from 80 to 150 EUR is used by some facility
    expect(prices.has(8000) && prices.has(15000)).toBe(true);
    const byService = Array.from({ length: 50 }, (_, n) => demoPrice(String(n), visit) === demoPrice(String(n), { ...visit, code: '95.02' }));
    expect(byService.filter(Boolean).length).toBeLessThan(20);
    const byModality = Array.from({ length: 50 }, (_, n) => demoPrice(String(n), visit) === demoPrice(String(n), visit, 'telehealth'));
    expect(byModality.filter(Boolean).length).toBeLessThan(20);
  });

  it('keeps every template within the demo price bands of the brief', () => {
    for (const t of ALL_TEMPLATES) {
      expect(t.price.min).toBeLessThanOrEqual(t.price.max);
      expect(t.price.min % t.price.step).toBe(0);
      expect(t.durationMinutes % 5).toBe(0);
      if (t.code.startsWith('90.')) expect([t.price.min >= 500, t.price.max <= 3000]).toEqual([true, true]);
      // first specialist visits 80-150 EUR (the dental one is cheaper)
      if (['89.7A.3', '95.02', '89.7A.7', '89.7B.8', '89.13', '89.26.1'].includes(t.code)) expect([t.price.min, t.price.max]).toEqual([8000, 15000]);
    }
  });
});

describe('stablePick', () => {
  const pool = ['a', 'b', 'c', 'd', 'e', 'f'];
  it('picks the same items for a facility on every run, in pool order', () => {
    const picked = stablePick('42', 'salt', pool, 3, (x) => x);
    expect(picked).toHaveLength(3);
    expect(stablePick('42', 'salt', pool, 3, (x) => x)).toEqual(picked);
    expect([...picked].sort()).toEqual(picked);
  });
  it('varies between facilities', () => {
    const picks = new Set(Array.from({ length: 30 }, (_, n) => stablePick(String(n), 'salt', pool, 3, (x) => x).join()));
    expect(picks.size).toBeGreaterThan(5);
  });
});

describe('planFacility', () => {
  it('makes a demo provider profile the users service accepts', () => {
    const plan = planFacility(
      facility({ N: '501', ID_PR: '1234', 'NOME PRESIDIO': "LABORATORIO ANALISI DELL'ESEMPIO S.R.L.", INDIRIZZO: 'VIA DI PROVA, 7', COMUNE: 'ROMA', Latitude: '41,91', Longitude: '12,47' }),
    );
    expect(plan.email).toBe('demo-facility-501@demo.healthmatch.invalid');
    expect(plan.profile).toMatchObject({
      displayName: "Laboratorio Analisi dell'Esempio S.r.l.",
      kind: 'facility',
      languages: ['it'],
      address: 'Via di Prova, 7',
      city: 'Roma',
      lat: 41.91,
      lon: 12.47,
      demo: true,
    });
    expect(plan.profile.bio).toMatch(/Regione Lazio/);
    expect(plan.profile.bio).toMatch(/not a real booking channel/);
    expect(plan.profile.bio).toMatch(/N=501, ID_PR 1234/);
    expect(valid(ProviderProfileInput, plan.profile)).toBe(true);
  });

  it('gives a laboratory 4 to 6 lab tests of 10 minutes and morning hours Monday to Saturday', () => {
    const plan = planFacility(facility({ N: '502', 'NOME PRESIDIO': 'LABORATORIO ANALISI ALFA' }));
    expect(plan.offerings.length).toBeGreaterThanOrEqual(4);
    expect(plan.offerings.length).toBeLessThanOrEqual(6);
    expect(plan.offerings.map((o) => o.template.code).slice(0, 3)).toEqual(['90.62.2', '90.27.1', '90.14.3']);
    for (const o of plan.offerings) {
      expect(o.durationMinutes).toBe(10);
      expect(o.modality).toBe('in_person');
      expect(o.amount).toBeGreaterThanOrEqual(500);
      expect(o.amount).toBeLessThanOrEqual(3000);
    }
    expect(plan.availability?.weekly).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((day) => ({ day, start: '07:30', end: '11:30' })));
    expect(valid(AvailabilityInput, plan.availability)).toBe(true);
  });

  it('gives a poliambulatorio first visits of 30 minutes and one follow-up by video', () => {
    const plan = planFacility(facility({ N: '503', 'NOME PRESIDIO': 'POLIAMBULATORIO BETA' }));
    const inPerson = plan.offerings.filter((o) => o.modality === 'in_person');
    const tele = plan.offerings.filter((o) => o.modality === 'telehealth');
    expect(inPerson).toHaveLength(5);
    expect(tele).toHaveLength(1);
    for (const o of inPerson) {
      expect(o.durationMinutes).toBe(30);
      expect(o.amount).toBeGreaterThanOrEqual(8000);
      expect(o.amount).toBeLessThanOrEqual(15000);
    }
    expect(plan.availability?.weekly).toHaveLength(10);
    expect(plan.availability).toMatchObject({ timeZone: 'Europe/Rome', minNoticeMinutes: 120 });
  });

  it('gives rehabilitation 45-minute sessions and a physiatry visit', () => {
    const plan = planFacility(facility({ N: '504', 'NOME PRESIDIO': 'CENTRO FISIOKINESITERAPIA GAMMA' }));
    expect(plan.offerings.map((o) => o.template.code)).toEqual(expect.arrayContaining(['89.7B.3', '93.11.1']));
    expect(plan.offerings.find((o) => o.template.code === '93.11.1')?.durationMinutes).toBe(45);
  });

  it('gives imaging 20 to 30 minute exams', () => {
    const plan = planFacility(facility({ N: '505', 'NOME PRESIDIO': 'STUDIO RADIOLOGICO DELTA' }));
    expect(plan.offerings.map((o) => o.template.code).slice(0, 2)).toEqual(['88.76.1', '87.44.1']);
    for (const o of plan.offerings) expect([20, 30]).toContain(o.durationMinutes);
  });

  it('gives residential care and dialysis no offerings and no hours', () => {
    for (const name of ['RSA VILLA ESEMPIO', 'CENTRO DIALISI ESEMPIO']) {
      const plan = planFacility(facility({ N: '506', 'NOME PRESIDIO': name }));
      expect(plan.offerings).toEqual([]);
      expect(plan.availability).toBeNull();
    }
  });

  it('is the same plan on every run, and offerings are valid OfferingInput', () => {
    const f = facility({ N: '507', 'NOME PRESIDIO': 'LABORATORIO ANALISI - DIAGNOSTICA PER IMMAGINI - POLIAMBULATORIO EPSILON' });
    const a = planFacility(f);
    expect(planFacility(f)).toEqual(a);
    const keys = a.offerings.map((o) => `${o.template.code}|${o.modality}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(a.offerings.length).toBeLessThanOrEqual(12);
    for (const o of a.offerings) {
      const input = { serviceId: '01890000-0000-7000-8000-000000000000', price: { amount: o.amount, currency: 'EUR' }, durationMinutes: o.durationMinutes, modality: o.modality };
      expect(valid(OfferingInput, input)).toBe(true);
    }
  });
});

describe('demoEmail and demoHours', () => {
  it('makes one .invalid address per row of the source', () => {
    expect(demoEmail({ n: '727' })).toBe('demo-facility-727@demo.healthmatch.invalid');
    expect(demoEmail({ n: ' 66/MP ' })).toBe('demo-facility-66-mp@demo.healthmatch.invalid');
  });

  it('opens every other facility Monday to Friday, 08-13 and 14-18', () => {
    const h = demoHours({ kinds: ['laboratory', 'outpatient'] });
    expect(h.weekly.filter((w) => w.day === 'mon')).toEqual([
      { day: 'mon', start: '08:00', end: '13:00' },
      { day: 'mon', start: '14:00', end: '18:00' },
    ]);
    expect(h.weekly.some((w) => w.day === 'sat' || w.day === 'sun')).toBe(false);
  });
});
