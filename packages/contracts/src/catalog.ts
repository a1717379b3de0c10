// HTTP DTOs of the catalog service: specialties, catalogue services, offerings, search.
import { Type, type Static } from '@sinclair/typebox';
import { Coordinates, Instant, Line, Money, PageQuery, Uuid, page } from './common.ts';

// An enum rather than a union of literals, so a wrong value gets one clear message
// ("must be one of: in_person, telehealth").
export const Modality = Type.Unsafe<'in_person' | 'telehealth'>({
  type: 'string',
  enum: ['in_person', 'telehealth'],
  description: 'in_person or telehealth',
});
export type Modality = Static<typeof Modality>;

export const Specialty = Type.Object({
  id: Uuid,
  code: Type.String(),
  name: Type.String(),
});
export type Specialty = Static<typeof Specialty>;

/**
 * A catalogue service's specialty (outpatient branch). The national catalogue has none, so
 * it is derived from the service's description and code (docs/adr/0004): `derived` is then
 * true and `rule` (catalogue service answers only) names the rule and what it matched.
 * null when no rule matched.
 */
export const ServiceSpecialty = Type.Union([
  Type.Object({
    code: Type.String(),
    name: Type.String(),
    derived: Type.Boolean(),
    rule: Type.Optional(Type.String({ description: 'how it was derived, e.g. cardiology: keyword "CARDIOLOG"' })),
  }),
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

/** A catalogue service as an offering or a search hit names it. */
export const ServiceRef = Type.Object({ id: Uuid, code: Type.String(), name: Type.String() });

/** The provider as the catalog copied it from the users service (search read model). */
export const ProviderRef = Type.Object({
  id: Uuid,
  name: Type.String(),
  city: Type.String(),
  demo: Type.Boolean({ description: 'true for demo accounts made from public facility data' }),
});

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
  { additionalProperties: false, description: "location defaults to the provider's address and coordinates" },
);
export type OfferingInput = Static<typeof OfferingInput>;

export const OfferingPatch = Type.Object(
  {
    price: Type.Optional(Money),
    durationMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 480, multipleOf: 5 })),
    modality: Type.Optional(Modality),
    location: Type.Optional(
      Type.Union([Location, Type.Null()], { description: "a new place; null goes back to the provider's own address (followed from then on)" }),
    ),
    active: Type.Optional(Type.Boolean({ description: 'false deactivates the offering (it leaves search; booked visits stay)' })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type OfferingPatch = Static<typeof OfferingPatch>;

export const Offering = Type.Object({
  id: Uuid,
  providerId: Uuid,
  service: ServiceRef,
  specialty: ServiceSpecialty,
  provider: Type.Optional(ProviderRef),
  price: Money,
  durationMinutes: Type.Integer(),
  modality: Modality,
  location: Location,
  active: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});
export type Offering = Static<typeof Offering>;
export const OfferingsPage = page(Offering);

/** `GET /api/v1/catalog/offerings?mine=true`: the calling provider's own offerings, inactive ones included. */
export const MyOfferingsQuery = Type.Object(
  {
    mine: Type.Literal(true, { description: "must be true: lists the calling provider's own offerings" }),
    active: Type.Optional(Type.Boolean({ description: 'only active (true) or inactive (false) ones' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type MyOfferingsQuery = Static<typeof MyOfferingsQuery>;

/** `GET /api/v1/catalog/providers/{id}/offerings`: a provider's active offerings (public). */
export const ProviderOfferingsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

/**
 * Search over active offerings. lat and lon come together; radiusKm needs them (default
 * 25 km when they are given). With lat/lon hits are sorted by distance, otherwise by price.
 */
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
  service: ServiceRef,
  specialty: ServiceSpecialty,
  provider: ProviderRef,
  price: Money,
  durationMinutes: Type.Integer(),
  modality: Modality,
  location: Location,
  distanceKm: Type.Optional(Type.Number({ description: 'great-circle distance from lat/lon, when given' })),
});
export type SearchHit = Static<typeof SearchHit>;
export const SearchPage = page(SearchHit);
