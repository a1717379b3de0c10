// buildApp(): the users service as a Fastify instance that never listens (tests use inject()).
import { ErrorCodes, ROLES } from '@healthmatch/contracts';
import {
  type App,
  authPlugin,
  authServiceVerifier,
  createDatabase,
  createFieldCipher,
  createService,
  type Database,
  type FieldKeyRing,
  loadFieldKeyRing,
  type TokenVerifier,
  type WarnLogger,
} from '@healthmatch/platform';
import { ensureOutboxTable } from '@healthmatch/platform/events';
import type { UsersConfig } from './config.ts';
import { createProfileRepository, profileKeyIdsInUse } from './db/profile-repository.ts';
import { schema } from './db/schema.ts';
import { createProfileService } from './domain/profile-service.ts';
import { internalProfileRoutes } from './routes/internal-profiles/index.ts';
import { providerRoutes } from './routes/providers/index.ts';
import { userRoutes } from './routes/users/index.ts';

export type UsersDatabase = Database<typeof schema>;

export interface UsersDeps {
  /** An open database the caller owns; otherwise one is created from DATABASE_URL and closed with the app. */
  database?: UsersDatabase;
  /** Access-token verifier; defaults to the auth service's JWKS at AUTH_URL. */
  verifier?: TokenVerifier;
  logger?: false | { stream: NodeJS.WritableStream };
  now?: () => Date;
}

/**
 * FIELD_ENCRYPTION_KEYS, or the local key in this database; stops the start when a stored
 * profile uses a key id the ring does not list (docs/adr/0006). The app and the
 * re-encryption command share it.
 */
export function loadUsersFieldKeys(config: UsersConfig, database: UsersDatabase, log: WarnLogger): Promise<FieldKeyRing> {
  return loadFieldKeyRing(database, {
    service: 'users',
    keys: config.FIELD_ENCRYPTION_KEYS,
    protects: 'sensitive profile fields',
    keyIdsInUse: () => profileKeyIdsInUse(database.db),
    log,
  });
}

export async function buildApp(config: UsersConfig, deps: UsersDeps = {}): Promise<App> {
  const database = deps.database ?? createDatabase(config.DATABASE_URL, schema, { applicationName: 'users' });
  const app = await createService({
    name: 'users',
    description: 'Patient and provider profiles; public provider directory data',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    errorCodes: ErrorCodes,
    readiness: [{ name: 'database', check: () => database.ping() }],
    openapiTags: [
      { name: 'users', description: "the caller's own profile" },
      { name: 'providers', description: 'public provider data' },
    ],
  });
  if (!deps.database) app.addHook('onClose', () => database.close());

  try {
    const ring = await loadUsersFieldKeys(config, database, app.log);
    // Profile changes write their event to the kit's outbox in the same transaction.
    await ensureOutboxTable(database.pool);
    const profiles = createProfileRepository(database.db, createFieldCipher(ring));

    await app.register(authPlugin, { verifier: deps.verifier ?? authServiceVerifier(config, ROLES) });

    const service = createProfileService({ store: profiles, now: deps.now });
    await app.register(internalProfileRoutes, { service });
    await app.register(userRoutes, { service });
    await app.register(providerRoutes, { service });
    await app.ready();
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
