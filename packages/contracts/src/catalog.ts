// HTTP DTOs of the catalog service: specialties, catalogue services, offerings, search.
import { Type, type Static } from '@sinclair/typebox';
import { Coordinates, Instant, Line, Money, PageQuery, Uuid, page } from './common.ts';

export const Modality = Type.Union([Type.Literal('in_person'), Type.Literal('telehealth')]);
export type Modality = Static<typeof Modality>;

export const Specialty = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
});
export type Specialty = Static<typeof Specialty>;

/** A catalogue service's specialty; derived from its description (the source has none). */
export const ServiceSpecialty = Type.Union([
  Type.Object({ code: Type.String(), name: Type.String(), derived: Type.Boolean() }),
  Type.Null(),
]);

export const CatalogService = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
  description: Type.String({ description: 'original description as published' }),
  specialty: ServiceSpecialty,
});
export type CatalogService = Static<typeof CatalogService>;

export const SpecialtyList = Type.Object({ items: Type.Array(Specialty) });

export const SearchText = Type.String({ minLength: 1, maxLength: 200 });
export const SpecialtyCode = Type.String({ pattern: '^[0-9A-Za-z]{1,4}$', description: 'specialty code, e.g. 02' });

export const ServicesQuery = Type.Object(
  { q: Type.Optional(SearchText), specialty: Type.Optional(SpecialtyCode), ...PageQuery },
  { additionalProperties: false },
);
export const ServicesPage = page(CatalogService);

export const Location = Type.Object(
  { address: Line(300), city: Line(120), ...Coordinates },
  { additionalProperties: false },
);
export type Location = Static<typeof Location>;

export const OfferingInput = Type.Object(
  {
    serviceId: Uuid,
    price: Money,
    durationMinutes: Type.Integer({ minimum: 5, maximum: 480, multipleOf: 5 }),
    modality: Modality,
    location: Type.Optional(Location),
  },
  { additionalProperties: false },
);
export type OfferingInput = Static<typeof OfferingInput>;

export const OfferingPatch = Type.Object(
  {
    price: Type.Optional(Money),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 480, multipleOf: 5 })),
    modality: Type.Optional(Modality),
    location: Type.Optional(Location),
    active: Type.Optional(Type.Boolean({ description: 'false deactivates the offering (it leaves search; booked visits stay)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type OfferingPatch = Static<typeof OfferingPatch>;

export const Offering = Type.Object({
  id: Uuid,
  providerId: Uuid,
  service: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
  specialty: ServiceSpecialty,
  price: Money,
  durationMinutes: Type.Integer(),
  modality: Modality,
  location: Location,
  active: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Offering = Static<typeof Offering>;

export const SearchQuery = Type.Object(
  {
    q: Type.Optional(SearchText),
    specialty: Type.Optional(SpecialtyCode),
    city: Type.Optional(Line(120)),
    lat: Type.Optional(Coordinates.lat),
    lon: Type.Optional(Coordinates.lon),
    radiusKm: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 500 })),
    maxPrice: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'minor units' })),
    modality: Type.Optional(Modality),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchHit = Type.Object({
  offeringId: Uuid,
  service: Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }),
  specialty: ServiceSpecialty,
  provider: Type.Object({ id: Uuid, name: Type.String(), city: Type.String(), demo: Type.Boolean() }),
  price: Money,
  durationMinutes: Type.Integer(),
  modality: Modality,
  location: Location,
  distanceKm: Type.Optional(Type.Number()),
});
export type SearchHit = Static<typeof SearchHit>;
export const SearchPage = page(SearchHit);
