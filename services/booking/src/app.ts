// buildApp(): the booking service as a Fastify instance that never listens (tests use
// inject(); server.ts listens). Everything from outside comes through `deps` so tests can
// set the clock, the token verifier and the catalog.
import { ErrorCodes, Problem, ROLES } from '@healthmatch/contracts';
import {
  type App,
  authPlugin,
  authServiceVerifier,
  createFieldCipher,
  createService,
  type FieldCipher,
  type FieldKeyRing,
  loadFieldKeyRing,
  type ServiceOptions,
  type TokenVerifier,
  type WarnLogger,
} from '@healthmatch/platform';
import { createCatalogClient } from './clients/catalog-client.ts';
import type { BookingConfig } from './config.ts';
import { appointmentRepository, cancelReasonKeyIdsInUse } from './db/appointment-repository.ts';
import { availabilityRepository } from './db/availability-repository.ts';
import { createBookingDatabase, type BookingDatabase } from './db/database.ts';
import { systemClock, type Clock, type OfferingSource } from './domain/ports.ts';
import { appointmentRoutes } from './routes/appointments/index.ts';
import { availabilityRoutes } from './routes/availability/index.ts';
import { slotRoutes } from './routes/slots/index.ts';

export interface BookingAppDeps {
  /** Default: a pool on config.DATABASE_URL, closed with the app. A given one is the caller's to close. */
  database?: BookingDatabase;
  /** Default: access tokens checked against the auth service's JWKS. */
  verifier?: TokenVerifier;
  /** Default: the catalog service at config.CATALOG_URL. */
  offerings?: OfferingSource;
  clock?: Clock;
  logger?: ServiceOptions['logger'];
  /**
   * Default: the key ring of FIELD_ENCRYPTION_KEYS, or the local key in this database,
   * checked at start-up against the stored cancellation reasons. A given cipher is used as
   * is and nothing is checked (route tests whose database is unreachable).
   */
  fieldCipher?: FieldCipher;
}

/**
 * FIELD_ENCRYPTION_KEYS, or the local key in this database; stops the start when a stored
 * reason uses a key id the ring does not list (docs/adr/0006). The app and the
 * re-encryption command share it.
 */
export function loadBookingFieldKeys(config: BookingConfig, database: BookingDatabase, log: WarnLogger): Promise<FieldKeyRing> {
  return loadFieldKeyRing(database, {
    service: 'booking',
    keys: config.FIELD_ENCRYPTION_KEYS,
    protects: 'cancellation reasons',
    keyIdsInUse: () => cancelReasonKeyIdsInUse(database),
    log,
  });
}

export async function buildApp(config: BookingConfig, deps: BookingAppDeps = {}): Promise<App> {
  const database = deps.database ?? createBookingDatabase(config.DATABASE_URL);
  const catalog = deps.offerings ? undefined : createCatalogClient(config.CATALOG_URL);
  const offerings = deps.offerings ?? catalog!;
  const clock = deps.clock ?? systemClock;

  const app = await createService({
    name: 'booking',
    description: 'Availability, free slots, appointments',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    errorCodes: ErrorCodes,
    readiness: [{ name: 'database', check: () => database.ping() }],
    openapiTags: [
      { name: 'availability', description: 'Weekly hours and exceptions of a provider' },
      { name: 'slots', description: 'Free slots of an offering' },
      { name: 'appointments', description: 'Book, read, list and cancel' },
    ],
  });
  app.addHook('onClose', async () => {
    await catalog?.close();
    if (!deps.database) await database.close();
  });
  app.addSchema(Problem);

  try {
    const appointments = appointmentRepository(database, deps.fieldCipher ?? createFieldCipher(await loadBookingFieldKeys(config, database, app.log)));
    if (!deps.fieldCipher) {
      // Reasons written before migration 0002 are still in clear: seal them before serving.
      let sealed = 0;
      for (let n = await appointments.sealPlaintextReasons(); n > 0; n = await appointments.sealPlaintextReasons()) sealed += n;
      if (sealed > 0) app.log.info({ sealed }, 'sealed cancellation reasons stored in clear before migration 0002');
    }

    const verifier = deps.verifier ?? authServiceVerifier(config, ROLES);
    await app.register(authPlugin, { verifier });

    const availability = availabilityRepository(database);
    availabilityRoutes(app, { availability, clock });
    slotRoutes(app, { offerings, availability, appointments, clock });
    appointmentRoutes(app, { offerings, availability, appointments, clock });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
