// buildApp(): the booking service as a Fastify instance that never listens (tests use
// inject(); server.ts listens). Everything from outside comes through `deps` so tests can
// set the clock, the token verifier and the catalog.
import { ErrorCodes, Problem, ROLES } from '@healthmatch/contracts';
import { authPlugin, createService, createTokenVerifier, remoteJwks, type App, type ServiceOptions, type TokenVerifier } from '@healthmatch/platform';
import { createCatalogClient } from './clients/catalog-client.ts';
import type { BookingConfig } from './config.ts';
import { appointmentRepository } from './db/appointment-repository.ts';
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

  const verifier =
    deps.verifier ??
    createTokenVerifier(remoteJwks(`${config.AUTH_URL.replace(/\/+$/, '')}/.well-known/jwks.json`), {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      roles: ROLES,
    });
  await app.register(authPlugin, { verifier });

  const availability = availabilityRepository(database);
  const appointments = appointmentRepository(database);
  availabilityRoutes(app, { availability, clock });
  slotRoutes(app, { offerings, availability, appointments, clock });
  appointmentRoutes(app, { offerings, availability, appointments, clock });
  return app;
}
