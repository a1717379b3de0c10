// Search over active offerings and over the catalogue: turns what the client asked into
// criteria the repositories run, with the rules the schemas cannot say (lat and lon
// together, radiusKm only with them, a cursor that belongs to the sort in use).
import { AppError, type FieldError } from '@healthmatch/platform/errors';
import { EARTH_RADIUS_KM, boundingBox } from './geo.ts';
import type {
  CatalogueReader,
  Modality,
  OfferingStore,
  Page,
  SearchCriteria,
  SearchHitRecord,
  SearchPosition,
  ServicePosition,
  ServiceRow,
} from './ports.ts';
import { normalizeText, searchTokens } from './text.ts';

export const DEFAULT_RADIUS_KM = 25;
export const DEFAULT_LIMIT = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SERVICE_CODE = /^[0-9A-Z.]{1,20}$/;

export function validationError(errors: FieldError[]): AppError {
  return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field} ${e.message}`).join('; '), { errors });
}

const badCursor = () => validationError([{ field: 'query/cursor', message: 'is not a valid cursor' }]);

export interface SearchInput {
  q?: string;
  specialty?: string;
  city?: string;
  lat?: number;
  lon?: number;
  radiusKm?: number;
  maxPrice?: number;
  modality?: Modality;
  limit?: number;
  /** The decoded cursor (see decodeCursor): [sort, key, id]. */
  cursor?: unknown[];
}

/** A cursor's sort key, checked against the sort the query uses. */
function searchPosition(raw: unknown[] | undefined, sort: SearchPosition['sort']): SearchPosition | undefined {
  if (raw === undefined) return undefined;
  const [kind, key, id] = raw;
  if (kind !== (sort === 'distance' ? 'd' : 'p') || typeof id !== 'string' || !UUID.test(id)) throw badCursor();
  if (sort === 'distance') {
    if (typeof key !== 'number' || !Number.isFinite(key) || key < 0) throw badCursor();
    return { sort, distanceKm: key, id };
  }
  if (typeof key !== 'number' || !Number.isSafeInteger(key) || key < 0) throw badCursor();
  return { sort, amount: key, id };
}

/** The cursor of a position: [sort, key, id]. */
export function searchCursorKey(p: SearchPosition): unknown[] {
  return p.sort === 'distance' ? ['d', p.distanceKm, p.id] : ['p', p.amount, p.id];
}

/** Criteria of an offering search; throws VALIDATION_FAILED naming the fields. */
export function searchCriteria(input: SearchInput): SearchCriteria {
  const errors: FieldError[] = [];
  const hasLat = input.lat !== undefined;
  const hasLon = input.lon !== undefined;
  if (hasLat && !hasLon) errors.push({ field: 'query/lon', message: 'is required when lat is given' });
  if (hasLon && !hasLat) errors.push({ field: 'query/lat', message: 'is required when lon is given' });
  if (input.radiusKm !== undefined && !(hasLat && hasLon)) {
    errors.push({ field: 'query/radiusKm', message: 'needs lat and lon' });
  }
  let cityKey: string | undefined;
  if (input.city !== undefined) {
    cityKey = normalizeText(input.city);
    if (cityKey === '') errors.push({ field: 'query/city', message: 'must contain a letter or a digit' });
  }
  if (errors.length > 0) throw validationError(errors);

  const near =
    input.lat !== undefined && input.lon !== undefined
      ? (() => {
          const center = { lat: input.lat, lon: input.lon };
          const radiusKm = input.radiusKm ?? DEFAULT_RADIUS_KM;
          return { ...center, radiusKm, box: boundingBox(center, radiusKm), earthRadiusKm: EARTH_RADIUS_KM };
        })()
      : undefined;
  return {
    tokens: input.q === undefined ? [] : searchTokens(input.q),
    specialtyCode: input.specialty,
    cityKey,
    near,
    maxPrice: input.maxPrice,
    modality: input.modality,
    limit: input.limit ?? DEFAULT_LIMIT,
    after: searchPosition(input.cursor, near ? 'distance' : 'price'),
  };
}

/** Active offerings matching the criteria, by distance (when near a point) or by price. */
export async function searchOfferings(store: OfferingStore, input: SearchInput): Promise<Page<SearchHitRecord, SearchPosition>> {
  return store.search(searchCriteria(input));
}

export interface ServiceListInput {
  q?: string;
  specialty?: string;
  limit?: number;
  cursor?: unknown[];
}

function servicePosition(raw: unknown[] | undefined): ServicePosition | undefined {
  if (raw === undefined) return undefined;
  const [rank, code] = raw;
  if ((rank !== 0 && rank !== 1) || typeof code !== 'string' || !SERVICE_CODE.test(code)) throw badCursor();
  return { rank, code };
}

export function serviceCursorKey(p: ServicePosition): unknown[] {
  return [p.rank, p.code];
}

/** The catalogue, optionally by words and specialty: services whose name matches first, then by code. */
export async function listServices(reader: CatalogueReader, input: ServiceListInput): Promise<Page<ServiceRow, ServicePosition>> {
  const page = await reader.listServices({
    tokens: input.q === undefined ? [] : searchTokens(input.q),
    specialtyCode: input.specialty,
    limit: input.limit ?? DEFAULT_LIMIT,
    after: servicePosition(input.cursor),
  });
  return { items: page.items.map(({ rank: _rank, ...service }) => service), next: page.next };
}

export async function getService(reader: CatalogueReader, id: string): Promise<ServiceRow> {
  const service = await reader.getService(id.toLowerCase());
  if (!service) throw new AppError('CATALOG_SERVICE_NOT_FOUND', `No catalogue service ${id}`);
  return service;
}
