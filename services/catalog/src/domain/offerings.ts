// Offerings: a provider offers a catalogue service at a price, duration, modality and place.
// Each create and update copies the provider's public profile from the users service into
// the offering (the search read model, ADR 0002); nothing is stored when that fails.
import { AppError } from '@healthmatch/platform/errors';
import { uuidv7 } from 'uuidv7';
import type {
  CallContext,
  CatalogueReader,
  IdPosition,
  Location,
  Modality,
  Money,
  OfferingChanges,
  OfferingRecord,
  OfferingStore,
  Page,
  ProviderCopy,
  ProviderDirectory,
  ProviderSnapshot,
} from './ports.ts';
import { validationError } from './search.ts';
import { normalizeText } from './text.ts';

export interface OfferingDeps {
  offerings: OfferingStore;
  catalogue: CatalogueReader;
  providers: ProviderDirectory;
  /** Logs what a best-effort step could not do. */
  warn?: (msg: string, context: Record<string, unknown>) => void;
}

export interface CreateOfferingInput {
  serviceId: string;
  price: Money;
  durationMinutes: number;
  modality: Modality;
  location?: Location;
}

export interface PatchOfferingInput {
  price?: Money;
  durationMinutes?: number;
  modality?: Modality;
  /** null: back to the provider's own address (followed on every refresh). */
  location?: Location | null;
  active?: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function providerCopy(p: ProviderSnapshot): ProviderCopy {
  return { name: p.displayName, city: p.city, demo: p.demo, text: normalizeText(p.displayName) };
}

function providerLocation(p: ProviderSnapshot): Location {
  return { address: p.address, city: p.city, lat: p.lat, lon: p.lon };
}

function cityKeyOf(location: Location, field: string): string {
  const key = normalizeText(location.city);
  if (key === '') throw validationError([{ field, message: 'must contain a letter or a digit' }]);
  return key;
}

async function requireProvider(deps: OfferingDeps, providerId: string, ctx: CallContext): Promise<ProviderSnapshot> {
  const provider = await deps.providers.getProvider(providerId, ctx);
  if (!provider) {
    throw new AppError('CATALOG_PROVIDER_PROFILE_MISSING', 'Create your provider profile before publishing offerings');
  }
  return provider;
}

export async function createOffering(deps: OfferingDeps, providerId: string, input: CreateOfferingInput, ctx: CallContext): Promise<OfferingRecord> {
  const cityKey = input.location ? cityKeyOf(input.location, 'body/location/city') : undefined;
  const serviceId = input.serviceId.toLowerCase();
  // Cheap local check first: no call to users for a service that does not exist.
  if (!(await deps.catalogue.findOfferableService(serviceId))) {
    throw new AppError('CATALOG_UNKNOWN_SERVICE', `No catalogue service ${input.serviceId}`, {
      errors: [{ field: 'body/serviceId', message: 'is not a catalogue service' }],
    });
  }
  const provider = await requireProvider(deps, providerId, ctx);
  const location = input.location ?? providerLocation(provider);
  const created = await deps.offerings.insert({
    id: uuidv7(),
    providerId,
    serviceId,
    price: input.price,
    durationMinutes: input.durationMinutes,
    modality: input.modality,
    location,
    cityKey: cityKey ?? normalizeText(location.city),
    locationSource: input.location ? 'custom' : 'provider',
    provider: providerCopy(provider),
  });
  if (!created) throw new AppError('CATALOG_UNKNOWN_SERVICE', `No catalogue service ${input.serviceId}`);
  return created;
}

/** Any offering by id, active or not (booking must see inactive ones to refuse them). */
export async function getOffering(store: OfferingStore, id: string): Promise<OfferingRecord> {
  const found = await store.findById(id.toLowerCase());
  if (!found) throw new AppError('CATALOG_OFFERING_NOT_FOUND', `No offering ${id}`);
  return found;
}

const isUpstreamFailure = (e: unknown): boolean =>
  e instanceof AppError && (e.code === 'BAD_GATEWAY' || e.code === 'GATEWAY_TIMEOUT' || e.code === 'SERVICE_UNAVAILABLE');

/**
 * Updates the caller's own offering (someone else's answers 404, like a missing one) and
 * refreshes the provider copy. Deactivating alone never depends on the users service: a
 * provider can always take an offering off the market; the copy is then refreshed only if
 * users answers.
 */
export async function patchOffering(
  deps: OfferingDeps,
  providerId: string,
  id: string,
  patch: PatchOfferingInput,
  ctx: CallContext,
): Promise<OfferingRecord> {
  const offeringId = id.toLowerCase();
  const notFound = () => new AppError('CATALOG_OFFERING_NOT_FOUND', `No offering ${id}`);
  const current = await deps.offerings.findById(offeringId);
  if (!current || current.providerId !== providerId) throw notFound();

  const deactivateOnly = patch.active === false && Object.keys(patch).every((k) => k === 'active');
  let provider: ProviderSnapshot | null = null;
  if (deactivateOnly) {
    try {
      provider = await deps.providers.getProvider(providerId, ctx);
    } catch (err) {
      if (!isUpstreamFailure(err)) throw err;
      deps.warn?.('users unavailable; offering deactivated without refreshing the provider copy', { offeringId });
    }
  } else {
    provider = await requireProvider(deps, providerId, ctx);
  }

  const changes: OfferingChanges = {};
  if (patch.price !== undefined) changes.price = patch.price;
  if (patch.durationMinutes !== undefined) changes.durationMinutes = patch.durationMinutes;
  if (patch.modality !== undefined) changes.modality = patch.modality;
  if (patch.active !== undefined) changes.active = patch.active;
  if (provider) changes.provider = providerCopy(provider);
  if (patch.location) {
    changes.location = { value: patch.location, cityKey: cityKeyOf(patch.location, 'body/location/city'), source: 'custom' };
  } else if (provider && (patch.location === null || (patch.location === undefined && current.locationSource === 'provider'))) {
    const value = providerLocation(provider);
    changes.location = { value, cityKey: normalizeText(value.city), source: 'provider' };
  }
  const updated = await deps.offerings.update(offeringId, providerId, changes);
  if (!updated) throw notFound();
  return updated;
}

export interface ListOfferingsInput {
  providerId: string;
  active?: boolean;
  limit?: number;
  /** The decoded cursor: [id]. */
  cursor?: unknown[];
}

function idPosition(raw: unknown[] | undefined): IdPosition | undefined {
  if (raw === undefined) return undefined;
  const [id] = raw;
  if (typeof id !== 'string' || !UUID.test(id)) throw validationError([{ field: 'query/cursor', message: 'is not a valid cursor' }]);
  return { id };
}

/** A provider's offerings in creation order. */
export async function listProviderOfferings(store: OfferingStore, input: ListOfferingsInput): Promise<Page<OfferingRecord, IdPosition>> {
  return store.listByProvider({
    providerId: input.providerId.toLowerCase(),
    active: input.active,
    limit: input.limit ?? 20,
    after: idPosition(input.cursor),
  });
}
