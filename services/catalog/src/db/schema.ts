// Tables of the catalog service. Imports only drizzle-orm so drizzle-kit can load it.
//
// Search: every searchable row stores its words normalised by the domain (normalizeText:
// lower case, accent-free, single spaces) in a text column, and a generated tsvector of
// exactly those words (array_to_tsvector, no text-search parser or dictionary in between).
// A query token `cardiolog` becomes the tsquery `'cardiolog':*`, a prefix match the GIN
// index answers. Built into PostgreSQL: no extension needed.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string; driverData: string }>({ dataType: () => 'tsvector' });

/** The generated tsvector of a column of normalised, space-separated words (empty words dropped: they are an error there). */
const wordsVector = (column: string) =>
  tsvector().generatedAlwaysAs(sql.raw(`array_to_tsvector(array_remove(string_to_array(${column}, ' '), ''))`));

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

/**
 * Outpatient branches (the specialty list of the API) and hospital disciplines (kept for
 * reference), from it_specialita_branche_discipline.csv. Codes are unique per system.
 * A specialty that left the source file is retired, never deleted.
 */
export const specialties = pgTable(
  'specialties',
  {
    id: uuid().primaryKey(),
    system: text().notNull(),
    code: text().notNull(),
    name: text().notNull(),
    definition: text(),
    retiredAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('specialties_system_code_key').on(t.system, t.code),
    check('specialties_system_check', sql`${t.system} in ('branca_specialistica_ambulatoriale', 'disciplina_ospedaliera')`),
  ],
);

/**
 * The national catalogue of outpatient services (it_catalogo_nazionale_prestazioni.csv),
 * upserted by code. The specialty is derived (docs/adr/0004) and recomputed on every import;
 * `specialty_rule` records which rule placed it. A service that left the source file is
 * retired (hidden from the catalogue list), never deleted: offerings may point at it.
 */
export const services = pgTable(
  'services',
  {
    id: uuid().primaryKey(),
    code: text().notNull(),
    /** The official description as published (trimmed). */
    description: text().notNull(),
    cleanDescription: text().notNull(),
    name: text().notNull(),
    /** Normalised words of code and description (domain: CatalogueService.searchText). */
    searchText: text().notNull(),
    searchVector: wordsVector('search_text'),
    /** Normalised words of the display name only: hits on the name rank first. */
    nameText: text().notNull(),
    nameVector: wordsVector('name_text'),
    specialtyId: uuid().references(() => specialties.id),
    specialtyDerivation: text(),
    specialtyRule: text().notNull(),
    retiredAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex('services_code_key').on(t.code),
    index('services_search_vector_idx').using('gin', t.searchVector),
    index('services_specialty_idx').on(t.specialtyId),
    check('services_derivation_check', sql`${t.specialtyDerivation} is null or ${t.specialtyDerivation} in ('keyword', 'code-prefix')`),
    check('services_derived_specialty_check', sql`(${t.specialtyId} is null) = (${t.specialtyDerivation} is null)`),
  ],
);

/** One row per import run: what was read, what changed, and the checksum that decides re-imports. */
export const catalogueImports = pgTable(
  'catalogue_imports',
  {
    id: uuid().primaryKey(),
    trigger: text().notNull(),
    /** sha256 of the two source files. */
    sourceChecksum: text().notNull(),
    /** sha256 of the rows the import stores: changes with the files or with the derivation rules. */
    contentChecksum: text().notNull(),
    services: integer().notNull(),
    specialties: integer().notNull(),
    inserted: integer().notNull(),
    updated: integer().notNull(),
    retired: integer().notNull(),
    rejected: integer().notNull(),
    report: jsonb().notNull(),
    durationMs: integer().notNull(),
    importedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('catalogue_imports_imported_at_idx').on(t.importedAt)],
);

/**
 * Offerings of providers, and the search read model: each row carries the copy of the
 * provider fields search shows (name, city, demo flag; refreshed from the users service on
 * every create and update, docs/adr/0002) and its own search words (the service's words and
 * the provider's name), so one index answers free text.
 */
export const offerings = pgTable(
  'offerings',
  {
    id: uuid().primaryKey(),
    providerId: uuid().notNull(),
    serviceId: uuid()
      .notNull()
      .references(() => services.id),
    priceAmount: integer().notNull(),
    priceCurrency: text().notNull(),
    durationMinutes: integer().notNull(),
    modality: text().notNull(),
    address: text().notNull(),
    city: text().notNull(),
    /** provider: the provider's address, followed when the offering is refreshed; custom: given by the provider. */
    locationSource: text().notNull(),
    /** normalizeText(city): the city filter compares this. */
    cityKey: text().notNull(),
    lat: doublePrecision().notNull(),
    lon: doublePrecision().notNull(),
    active: boolean().notNull().default(true),
    providerName: text().notNull(),
    providerCity: text().notNull(),
    providerDemo: boolean().notNull(),
    /** normalizeText(provider name). */
    providerText: text().notNull(),
    providerSyncedAt: timestamp({ withTimezone: true }).notNull(),
    /** The service's search words and the provider's name words. */
    searchText: text().notNull(),
    searchVector: wordsVector('search_text'),
    ...timestamps,
  },
  (t) => [
    index('offerings_provider_idx').on(t.providerId, t.id),
    index('offerings_service_idx').on(t.serviceId),
    index('offerings_active_search_vector_idx').using('gin', t.searchVector).where(sql`${t.active}`),
    index('offerings_active_lat_lon_idx').on(t.lat, t.lon).where(sql`${t.active}`),
    index('offerings_active_price_idx').on(t.priceAmount, t.id).where(sql`${t.active}`),
    index('offerings_active_city_idx').on(t.cityKey).where(sql`${t.active}`),
    check('offerings_price_check', sql`${t.priceAmount} >= 0 and ${t.priceCurrency} ~ '^[A-Z]{3}$'`),
    check('offerings_duration_check', sql`${t.durationMinutes} between 5 and 480`),
    check('offerings_modality_check', sql`${t.modality} in ('in_person', 'telehealth')`),
    check('offerings_location_source_check', sql`${t.locationSource} in ('provider', 'custom')`),
    check('offerings_lat_check', sql`${t.lat} between -90 and 90`),
    check('offerings_lon_check', sql`${t.lon} between -180 and 180`),
  ],
);

export const schema = { specialties, services, catalogueImports, offerings };
