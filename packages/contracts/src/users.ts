// HTTP DTOs of the users service (profiles of patients and providers).
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { Coordinates, DateOnly, Email, Instant, Text, Uuid } from './common.ts';

export const Locale = Type.Union([Type.Literal('it'), Type.Literal('en')], { description: 'language of messages', default: 'it' });
/** Locale without a default, for partial updates (a default would overwrite the stored value). */
const LocaleValue = Type.Union([Type.Literal('it'), Type.Literal('en')], { description: 'language of messages' });
export const LanguageCode = Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 language code' });
export const ProviderKind = Type.Union([Type.Literal('practitioner'), Type.Literal('facility')]);
export const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 ()-]{5,24}$', description: 'phone number' });

// C0 and C1 controls, DEL, line/paragraph separators and bidi embeddings/overrides/isolates:
// invisible characters that break logs, mail headers and how a name reads on screen.
const NAME_FORBIDDEN = '\\u0000-\\u001f\\u007f-\\u009f\\u2028-\\u202e\\u2066-\\u2069';
/** A name or a single line of place text: no control or bidi characters, not blank. */
export const NameText = (maxLength: number) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: `^[^${NAME_FORBIDDEN}]*[^${NAME_FORBIDDEN}\\s][^${NAME_FORBIDDEN}]*$`,
    description: 'name: not blank, without control or text-direction characters',
  });

const Languages = Type.Array(LanguageCode, { minItems: 1, maxItems: 20, uniqueItems: true });

/** `T` or null, as one JSON Schema type list (one clear message on a wrong type). */
function nullable<T extends TSchema & { type: string }>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

export const PatientProfileInput = Type.Object(
  {
    firstName: NameText(100),
    lastName: NameText(100),
    phone: Type.Optional(Phone),
    birthDate: Type.Optional(DateOnly),
    locale: Type.Optional(Locale),
  },
  { additionalProperties: false },
);
export type PatientProfileInput = Static<typeof PatientProfileInput>;

export const ProviderProfileInput = Type.Object(
  {
    displayName: NameText(200),
    kind: ProviderKind,
    languages: Languages,
    address: NameText(300),
    city: NameText(120),
    ...Coordinates,
    bio: Type.Optional(Text(4000)),
    locale: Type.Optional(Locale),
    demo: Type.Optional(Type.Boolean({ description: 'marks a demo account made from public facility data', default: false })),
  },
  { additionalProperties: false },
);
export type ProviderProfileInput = Static<typeof ProviderProfileInput>;

/** Public view of a provider: no private fields. */
export const PublicProvider = Type.Object({
  id: Uuid,
  displayName: Type.String(),
  kind: ProviderKind,
  languages: Type.Array(Type.String()),
  address: Type.String(),
  city: Type.String(),
  lat: Type.Number(),
  lon: Type.Number(),
  bio: Type.Union([Type.String(), Type.Null()]),
  demo: Type.Boolean({ description: 'true for demo accounts made from public facility data' }),
});
export type PublicProvider = Static<typeof PublicProvider>;

export const ProfileRole = Type.Unsafe<'patient' | 'provider'>({ type: 'string', enum: ['patient', 'provider'], description: 'patient or provider' });
export type ProfileRole = Static<typeof ProfileRole>;

/**
 * An object whose `profile` (last) is PatientProfileInput when `role` is patient and
 * ProviderProfileInput when it is provider; the if/then pair makes the validator report the
 * profile's fields against the schema of the chosen role only. `properties` must hold `role`.
 */
export function withRoleProfile<T>(properties: TProperties) {
  return Type.Unsafe<T>(
    Type.Object(
      {
        ...properties,
        profile: Type.Unsafe<PatientProfileInput | ProviderProfileInput>({
          type: 'object',
          description: 'PatientProfileInput for role patient, ProviderProfileInput for role provider',
        }),
      },
      {
        additionalProperties: false,
        allOf: [
          { if: { properties: { role: { const: 'patient' } }, required: ['role'] }, then: { properties: { profile: PatientProfileInput } } },
          { if: { properties: { role: { const: 'provider' } }, required: ['role'] }, then: { properties: { profile: ProviderProfileInput } } },
        ],
      },
    ),
  );
}

/** `PUT /internal/profiles/me` (auth at registration, with the new user's own token). */
export type InternalProfileInput =
  | { role: 'patient'; email: string; profile: PatientProfileInput }
  | { role: 'provider'; email: string; profile: ProviderProfileInput };
export const InternalProfileInput = withRoleProfile<InternalProfileInput>({ role: ProfileRole, email: Email });

/**
 * `PATCH /api/v1/users/me`: any subset of the caller's own profile fields. Fields of the
 * other role are refused (400). null clears an optional field (phone, birthDate, bio).
 * lat and lon change together. The e-mail belongs to the login (auth) and the demo flag
 * to the data import: neither is patched here.
 */
export const ProfilePatch = Type.Object(
  {
    firstName: Type.Optional(NameText(100)),
    lastName: Type.Optional(NameText(100)),
    phone: Type.Optional(nullable(Phone)),
    birthDate: Type.Optional(nullable(DateOnly)),
    displayName: Type.Optional(NameText(200)),
    kind: Type.Optional(ProviderKind),
    languages: Type.Optional(Languages),
    address: Type.Optional(NameText(300)),
    city: Type.Optional(NameText(120)),
    lat: Type.Optional(Coordinates.lat),
    lon: Type.Optional(Coordinates.lon),
    bio: Type.Optional(nullable(Text(4000))),
    locale: Type.Optional(LocaleValue),
  },
  { additionalProperties: false, minProperties: 1, description: 'patient fields: firstName, lastName, phone, birthDate, locale; provider fields: displayName, kind, languages, address, city, lat, lon, bio, locale' },
);
export type ProfilePatch = Static<typeof ProfilePatch>;

/** The owner's view of a patient profile. */
export const PatientProfile = Type.Object({
  id: Uuid,
  role: Type.Literal('patient'),
  email: Type.String(),
  firstName: Type.String(),
  lastName: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  birthDate: Type.Union([Type.String({ description: 'YYYY-MM-DD' }), Type.Null()]),
  locale: LocaleValue,
  createdAt: Instant,
  updatedAt: Instant,
});
export type PatientProfile = Static<typeof PatientProfile>;

/** The owner's view of a provider profile (public fields plus private ones). */
export const ProviderProfile = Type.Object({
  id: Uuid,
  role: Type.Literal('provider'),
  email: Type.String(),
  ...Type.Omit(PublicProvider, ['id']).properties,
  locale: LocaleValue,
  createdAt: Instant,
  updatedAt: Instant,
});
export type ProviderProfile = Static<typeof ProviderProfile>;

export const Profile = Type.Union([PatientProfile, ProviderProfile], { description: 'by role' });
export type Profile = Static<typeof Profile>;

export const MAX_PROVIDER_IDS = 100;
/** `GET /api/v1/providers?ids=a,b` (or `ids=a&ids=b`): up to 100 ids. */
export const ProviderIdsQuery = Type.Object(
  { ids: Type.Array(Uuid, { minItems: 1, maxItems: MAX_PROVIDER_IDS, description: 'provider ids, comma-separated or repeated' }) },
  { additionalProperties: false },
);
export type ProviderIdsQuery = Static<typeof ProviderIdsQuery>;
/** Found providers in the order asked; unknown ids are left out. */
export const PublicProviderList = Type.Object({ items: Type.Array(PublicProvider) });
export type PublicProviderList = Static<typeof PublicProviderList>;
