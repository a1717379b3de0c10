// HTTP DTOs of the users service (profiles of patients and providers).
import { Type, type Static } from '@sinclair/typebox';
import { Coordinates, DateOnly, Line, Text, Uuid } from './common.ts';

export const Locale = Type.Union([Type.Literal('it'), Type.Literal('en')], { description: 'language of messages', default: 'it' });
export const LanguageCode = Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1 language code' });
export const ProviderKind = Type.Union([Type.Literal('practitioner'), Type.Literal('facility')]);
export const Phone = Type.String({ pattern: '^\\+?[0-9][0-9 ()-]{5,24}$', description: 'phone number' });

export const PatientProfileInput = Type.Object(
  {
    firstName: Line(100),
    lastName: Line(100),
    phone: Type.Optional(Phone),
    birthDate: Type.Optional(DateOnly),
    locale: Type.Optional(Locale),
  },
  { additionalProperties: false },
);
export type PatientProfileInput = Static<typeof PatientProfileInput>;

export const ProviderProfileInput = Type.Object(
  {
    displayName: Line(200),
    kind: ProviderKind,
    languages: Type.Array(LanguageCode, { minItems: 1, maxItems: 20, uniqueItems: true }),
    address: Line(300),
    city: Line(120),
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
