import { AppError } from '@healthmatch/platform/errors';
import { describe, expect, it } from 'vitest';
import { applyPatch, canonicalUuid, checkPatch, newProfile, sameProfile, type PatientProfile, type ProviderProfile } from './profile.ts';

const ID = '0190b6c2-0000-7000-8000-000000000001';
const NOW = new Date('2026-03-10T12:00:00Z');
const stamps = { createdAt: NOW, updatedAt: NOW };

const patient: PatientProfile = {
  id: ID,
  role: 'patient',
  email: 'mario@example.it',
  firstName: 'Mario',
  lastName: 'Rossi',
  phone: '+39 333 1234567',
  birthDate: '1980-02-29',
  locale: 'en',
  ...stamps,
};

const provider: ProviderProfile = {
  id: ID,
  role: 'provider',
  email: 'studio@example.it',
  displayName: 'Studio Bianchi',
  kind: 'practitioner',
  languages: ['it', 'en'],
  address: 'Via Roma 1',
  city: 'Roma',
  lat: 41.9,
  lon: 12.5,
  bio: 'Cardiologia',
  locale: 'it',
  demo: false,
  ...stamps,
};

function fieldErrors(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return (err as AppError).extras.errors;
  }
  throw new Error('expected VALIDATION_FAILED');
}

describe('canonicalUuid', () => {
  it('lower-cases and drops the urn prefix; refuses anything else', () => {
    expect(canonicalUuid(ID.toUpperCase())).toBe(ID);
    expect(canonicalUuid(`urn:uuid:${ID}`)).toBe(ID);
    expect(canonicalUuid('not-a-uuid')).toBeUndefined();
    expect(canonicalUuid(`${ID}0`)).toBeUndefined();
  });
});

describe('newProfile', () => {
  it('trims, fills defaults and keeps optional fields null', () => {
    const p = newProfile(ID, { role: 'patient', email: ' mario@example.it ', profile: { firstName: ' Mario ', lastName: 'Rossi ' } }, NOW);
    expect(p).toEqual({ id: ID, role: 'patient', email: 'mario@example.it', firstName: 'Mario', lastName: 'Rossi', phone: null, birthDate: null, locale: 'it' });
    const v = newProfile(ID, { role: 'provider', email: 's@x.it', profile: { displayName: 'S', kind: 'facility', languages: ['it'], address: 'A', city: 'C', lat: 1, lon: 2, bio: '  ' } }, NOW);
    expect(v).toMatchObject({ role: 'provider', demo: false, locale: 'it', bio: null });
  });

  it('refuses birth dates in the future or before 1900', () => {
    const make = (birthDate: string) => newProfile(ID, { role: 'patient', email: 'a@b.it', profile: { firstName: 'A', lastName: 'B', birthDate } }, NOW);
    expect(fieldErrors(() => make('2026-03-12'))).toEqual([{ field: 'body/profile/birthDate', message: 'must not be in the future' }]);
    expect(fieldErrors(() => make('1899-12-31'))?.[0]?.message).toMatch(/before 1900/);
    // Someone born "today" in a zone ahead of UTC is accepted.
    expect(make('2026-03-11')).toMatchObject({ birthDate: '2026-03-11' });
  });
});

describe('sameProfile', () => {
  it('matches a repeated registration, e-mail case aside', () => {
    const { createdAt: _c, updatedAt: _u, ...draft } = patient;
    expect(sameProfile(patient, { ...draft, email: 'MARIO@example.it' })).toBe(true);
    expect(sameProfile(patient, { ...draft, phone: null })).toBe(false);
    expect(sameProfile(patient, { ...draft, email: 'other@example.it' })).toBe(false);
    const { createdAt: _c2, updatedAt: _u2, ...pdraft } = provider;
    expect(sameProfile(provider, { ...pdraft, languages: ['it', 'en'] })).toBe(true);
    expect(sameProfile(provider, { ...pdraft, languages: ['en', 'it'] })).toBe(false);
    expect(sameProfile(provider, draft)).toBe(false);
  });
});

describe('checkPatch', () => {
  it("refuses the other role's fields, naming each", () => {
    expect(fieldErrors(() => checkPatch('patient', { displayName: 'X', city: 'Roma', firstName: 'Ok' }, NOW))).toEqual([
      { field: 'body/displayName', message: 'is not a field of a patient profile' },
      { field: 'body/city', message: 'is not a field of a patient profile' },
    ]);
    expect(fieldErrors(() => checkPatch('provider', { phone: null }, NOW))).toEqual([{ field: 'body/phone', message: 'is not a field of a provider profile' }]);
  });

  it('wants lat and lon together', () => {
    expect(fieldErrors(() => checkPatch('provider', { lat: 45 }, NOW))).toEqual([{ field: 'body/lon', message: 'must be given together with lat' }]);
    expect(() => checkPatch('provider', { lat: 45, lon: 9 }, NOW)).not.toThrow();
  });

  it('checks the birth date of a patient', () => {
    expect(fieldErrors(() => checkPatch('patient', { birthDate: '2030-01-01' }, NOW))).toEqual([{ field: 'body/birthDate', message: 'must not be in the future' }]);
    expect(() => checkPatch('patient', { birthDate: null, locale: 'it' }, NOW)).not.toThrow();
  });
});

describe('applyPatch', () => {
  it('keeps absent fields, clears with null, trims text', () => {
    expect(applyPatch(patient, { phone: null, firstName: ' Maria ' })).toEqual({ ...patient, phone: null, firstName: 'Maria' });
    expect(applyPatch(patient, { birthDate: null })).toEqual({ ...patient, birthDate: null });
    expect(applyPatch(provider, { bio: null, lat: 45.46, lon: 9.19, city: 'Milano' })).toEqual({ ...provider, bio: null, lat: 45.46, lon: 9.19, city: 'Milano' });
    expect(applyPatch(provider, { languages: ['de'] }).languages).toEqual(['de']);
  });
});
