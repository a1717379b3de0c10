// What the catalog's use cases need from the outside world: its own storage (implemented
// in db/) and the users service (clients/). Plain types, no framework.
import type { Catalogue } from './catalogue.ts';
import type { BoundingBox } from './geo.ts';

export type Modality = 'in_person' | 'telehealth';

/** Context passed along to other services (request id for tracing, the caller's token). */
export interface CallContext {
  requestId?: string;
  authorization?: string;
}

// ---------------------------------------------------------------- catalogue import

/** What one import run changed. */
export interface ApplyResult {
  specialties: { inserted: number; updated: number; retired: number };
  services: { inserted: number; updated: number; unchanged: number; retired: number };
  /** Offerings whose search words were refreshed because their service's words changed. */
  offeringsRefreshed: number;
}

export interface ImportRecord {
  trigger: ImportTrigger;
  sourceChecksum: string;
  contentChecksum: string;
  services: number;
  specialties: number;
  inserted: number;
  updated: number;
  retired: number;
  rejected: number;
  report: unknown;
  durationMs: number;
}

export type ImportTrigger = 'startup' | 'command';

/** The import's view of storage, inside one transaction that holds the import lock. */
export interface CatalogueImportTx {
  lastContentChecksum(): Promise<string | null>;
  countServices(): Promise<number>;
  apply(catalogue: Catalogue): Promise<ApplyResult>;
  record(entry: ImportRecord): Promise<void>;
}

export interface CatalogueImportStore {
  /**
   * Runs `fn` in one transaction holding the catalogue's import lock: replicas that start
   * together import once; the others wait, then see the checksum and skip.
   */
  withImportLock<T>(fn: (tx: CatalogueImportTx) => Promise<T>): Promise<T>;
}

// ---------------------------------------------------------------- catalogue reads

export interface SpecialtyRef {
  code: string;
  name: string;
  derived: boolean;
  rule?: string;
}

export interface SpecialtyRow {
  id: string;
  code: string;
  name: string;
}

export interface ServiceRow {
  id: string;
  code: string;
  name: string;
  description: string;
  specialty: SpecialtyRef | null;
}

/** Keyset position in the catalogue list: name hits first (rank 0), then by code. */
export interface ServicePosition {
  rank: number;
  code: string;
}

export interface ServiceQuery {
  tokens: string[];
  specialtyCode?: string;
  limit: number;
  after?: ServicePosition;
}

export interface Page<T, P> {
  items: T[];
  /** Position of the last item when more follow. */
  next: P | null;
}

export interface CatalogueReader {
  listOutpatientBranches(): Promise<SpecialtyRow[]>;
  listServices(query: ServiceQuery): Promise<Page<ServiceRow & ServicePosition, ServicePosition>>;
  getService(id: string): Promise<ServiceRow | null>;
  /** A service offerings may use: known and not retired. */
  findOfferableService(id: string): Promise<{ id: string } | null>;
}

// ---------------------------------------------------------------- offerings

export interface Location {
  address: string;
  city: string;
  lat: number;
  lon: number;
}

export interface Money {
  amount: number;
  currency: string;
}

/** The provider fields the catalog copies from the users service (ADR 0002). */
export interface ProviderSnapshot {
  id: string;
  displayName: string;
  address: string;
  city: string;
  lat: number;
  lon: number;
  demo: boolean;
}

export interface ProviderDirectory {
  /** The provider's public profile; null when there is none. Throws AppError 502/504 when users is unreachable. */
  getProvider(id: string, ctx: CallContext): Promise<ProviderSnapshot | null>;
}

/** Where an offering's location comes from: the provider's profile (followed on refresh) or given by the provider. */
export type LocationSource = 'provider' | 'custom';

export interface ProviderCopy {
  name: string;
  city: string;
  demo: boolean;
  /** normalizeText(name): search words. */
  text: string;
}

export interface OfferingRecord {
  id: string;
  providerId: string;
  service: { id: string; code: string; name: string };
  specialty: SpecialtyRef | null;
  provider: { id: string; name: string; city: string; demo: boolean };
  price: Money;
  durationMinutes: number;
  modality: Modality;
  location: Location;
  locationSource: LocationSource;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewOffering {
  id: string;
  providerId: string;
  serviceId: string;
  price: Money;
  durationMinutes: number;
  modality: Modality;
  location: Location;
  cityKey: string;
  locationSource: LocationSource;
  provider: ProviderCopy;
}

export interface OfferingChanges {
  price?: Money;
  durationMinutes?: number;
  modality?: Modality;
  location?: { value: Location; cityKey: string; source: LocationSource };
  active?: boolean;
  provider?: ProviderCopy;
}

/** Keyset position in a list ordered by id (UUID v7: creation order). */
export interface IdPosition {
  id: string;
}

export interface ProviderOfferingsQuery {
  providerId: string;
  /** undefined: active and inactive. */
  active?: boolean;
  limit: number;
  after?: IdPosition;
}

export type SearchPosition = { sort: 'distance'; distanceKm: number; id: string } | { sort: 'price'; amount: number; id: string };

export interface SearchCriteria {
  tokens: string[];
  specialtyCode?: string;
  cityKey?: string;
  near?: { lat: number; lon: number; radiusKm: number; box: BoundingBox; earthRadiusKm: number };
  maxPrice?: number;
  modality?: Modality;
  limit: number;
  after?: SearchPosition;
}

export interface SearchHitRecord {
  offering: OfferingRecord;
  distanceKm?: number;
}

export interface OfferingStore {
  /** Inserts; null when the service does not exist (never offerable). */
  insert(offering: NewOffering): Promise<OfferingRecord | null>;
  findById(id: string): Promise<OfferingRecord | null>;
  /** Updates the provider's own offering; null when it is not theirs or does not exist. */
  update(id: string, providerId: string, changes: OfferingChanges): Promise<OfferingRecord | null>;
  listByProvider(query: ProviderOfferingsQuery): Promise<Page<OfferingRecord, IdPosition>>;
  search(criteria: SearchCriteria): Promise<Page<SearchHitRecord, SearchPosition>>;
}
