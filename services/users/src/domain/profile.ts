// Profiles of patients and providers, and the rules for creating and changing them.
// Pure functions: no storage, no HTTP.
import type { InternalProfileInput, PatientProfileInput, ProfilePatch, ProviderProfileInput } from '@healthmatch/contracts';
import { AppError, type FieldError } from '@healthmatch/platform/errors';

export type ProfileRole = 'patient' | 'provider';
export type Locale = 'it' | 'en';
export type ProviderKind = 'practitioner' | 'facility';

export const DEFAULT_LOCALE: Locale = 'it';

export interface PatientProfile {
  id: string;
  role: 'patient';
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  locale: Locale;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderProfile {
  id: string;
  role: 'provider';
  email: string;
  displayName: string;
  kind: ProviderKind;
  languages: string[];
  address: string;
  city: string;
  lat: number;
  lon: number;
  bio: string | null;
  locale: Locale;
  demo: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type Profile = PatientProfile | ProviderProfile;
/** A profile before storage gives it timestamps. */
export type NewProfile = Omit<PatientProfile, 'createdAt' | 'updatedAt'> | Omit<ProviderProfile, 'createdAt' | 'updatedAt'>;

export type PublicProvider = Pick<ProviderProfile, 'id' | 'displayName' | 'kind' | 'languages' | 'address' | 'city' | 'lat' | 'lon' | 'bio' | 'demo'>;

export function isProfileRole(role: string): role is ProfileRole {
  return role === 'patient' || role === 'provider';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The one spelling of a UUID that storage uses: lower case, without the `urn:uuid:` prefix
 * the JSON Schema `uuid` format also accepts. undefined for anything that is not a UUID.
 */
export function canonicalUuid(value: string): string | undefined {
  const v = value.trim().toLowerCase().replace(/^urn:uuid:/, '');
  return UUID.test(v) ? v : undefined;
}

// --- creating ----------------------------------------------------------------------------

const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Latest acceptable birth date: today somewhere on Earth (UTC+14), so nobody born today is refused. */
function latestBirthDate(now: Date): string {
  return new Date(now.getTime() + 14 * 3600_000).toISOString().slice(0, 10);
}

function birthDateProblem(birthDate: string | null | undefined, now: Date): string | undefined {
  if (birthDate === null || birthDate === undefined) return undefined;
  if (birthDate < EARLIEST_BIRTH_DATE) return `must not be before ${EARLIEST_BIRTH_DATE}`;
  if (birthDate > latestBirthDate(now)) return 'must not be in the future';
  return undefined;
}

function invalid(errors: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
}

const optionalText = (v: string | null | undefined): string | null => {
  const t = v?.trim();
  return t ? t : null;
};

function patientFields(p: PatientProfileInput) {
  return {
    firstName: p.firstName.trim(),
    lastName: p.lastName.trim(),
    phone: optionalText(p.phone),
    birthDate: p.birthDate ?? null,
    locale: p.locale ?? DEFAULT_LOCALE,
  };
}

function providerFields(p: ProviderProfileInput) {
  return {
    displayName: p.displayName.trim(),
    kind: p.kind,
    languages: [...p.languages],
    address: p.address.trim(),
    city: p.city.trim(),
    lat: p.lat,
    lon: p.lon,
    bio: optionalText(p.bio),
    locale: p.locale ?? DEFAULT_LOCALE,
    demo: p.demo ?? false,
  };
}

/** The profile a registration asks for, normalised (trimmed, defaults filled in). */
export function newProfile(id: string, input: InternalProfileInput, now: Date): NewProfile {
  const email = input.email.trim();
  if (input.role === 'patient') {
    const problem = birthDateProblem(input.profile.birthDate, now);
    if (problem) throw invalid([{ field: 'body/profile/birthDate', message: problem }]);
    return { id, role: 'patient', email, ...patientFields(input.profile) };
  }
  return { id, role: 'provider', email, ...providerFields(input.profile) };
}

const COMPARED: Record<ProfileRole, readonly string[]> = {
  patient: ['firstName', 'lastName', 'phone', 'birthDate', 'locale'],
  provider: ['displayName', 'kind', 'languages', 'address', 'city', 'lat', 'lon', 'bio', 'locale', 'demo'],
};

/** Whether a stored profile is what `draft` describes (a repeated registration call). */
export function sameProfile(stored: Profile, draft: NewProfile): boolean {
  if (stored.role !== draft.role || stored.id !== draft.id) return false;
  if (stored.email.toLowerCase() !== draft.email.toLowerCase()) return false;
  const a = stored as unknown as Record<string, unknown>;
  const b = draft as unknown as Record<string, unknown>;
  return COMPARED[stored.role].every((k) => {
    const x = a[k];
    const y = b[k];
    return Array.isArray(x) && Array.isArray(y) ? x.length === y.length && x.every((v, i) => v === y[i]) : x === y;
  });
}

// --- changing ----------------------------------------------------------------------------

const FIELDS_OF: Record<ProfileRole, ReadonlySet<string>> = {
  patient: new Set(['firstName', 'lastName', 'phone', 'birthDate', 'locale']),
  provider: new Set(['displayName', 'kind', 'languages', 'address', 'city', 'lat', 'lon', 'bio', 'locale']),
};

/** Refuses a patch the caller's role may not make; the schema has checked each value already. */
export function checkPatch(role: ProfileRole, patch: ProfilePatch, now: Date): void {
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value !== undefined && !FIELDS_OF[role].has(field)) errors.push({ field: `body/${field}`, message: `is not a field of a ${role} profile` });
  }
  if (role === 'provider' && (patch.lat === undefined) !== (patch.lon === undefined)) {
    errors.push({ field: patch.lat === undefined ? 'body/lat' : 'body/lon', message: `must be given together with ${patch.lat === undefined ? 'lon' : 'lat'}` });
  }
  if (role === 'patient') {
    const problem = birthDateProblem(patch.birthDate, now);
    if (problem) errors.push({ field: 'body/birthDate', message: problem });
  }
  if (errors.length > 0) throw invalid(errors);
}

const pick = <T>(next: T | undefined, current: T): T => (next === undefined ? current : next);
const pickText = (next: string | undefined, current: string): string => (next === undefined ? current : next.trim());
const pickOptional = (next: string | null | undefined, current: string | null): string | null => (next === undefined ? current : optionalText(next));

/** The profile after a patch that passed checkPatch(). Absent fields stay; null clears. */
export function applyPatch<P extends Profile>(current: P, patch: ProfilePatch): P {
  if (current.role === 'patient') {
    const next: PatientProfile = {
      ...current,
      firstName: pickText(patch.firstName, current.firstName),
      lastName: pickText(patch.lastName, current.lastName),
      phone: pickOptional(patch.phone, current.phone),
      birthDate: pick(patch.birthDate, current.birthDate),
      locale: pick(patch.locale, current.locale),
    };
    return next as P;
  }
  const p = current as ProviderProfile;
  const next: ProviderProfile = {
    ...p,
    displayName: pickText(patch.displayName, p.displayName),
    kind: pick(patch.kind, p.kind),
    languages: patch.languages ? [...patch.languages] : p.languages,
    address: pickText(patch.address, p.address),
    city: pickText(patch.city, p.city),
    lat: pick(patch.lat, p.lat),
    lon: pick(patch.lon, p.lon),
    bio: pickOptional(patch.bio, p.bio),
    locale: pick(patch.locale, p.locale),
  };
  return next as P;
}

export function toPublicProvider(p: ProviderProfile | PublicProvider): PublicProvider {
  return { id: p.id, displayName: p.displayName, kind: p.kind, languages: p.languages, address: p.address, city: p.city, lat: p.lat, lon: p.lon, bio: p.bio, demo: p.demo };
}
