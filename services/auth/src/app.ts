// buildApp(): the auth service as a Fastify instance that never listens (tests inject()).
import { Problem, ROLES, ErrorCodes } from '@healthmatch/contracts';
import {
  authPlugin,
  createFieldCipher,
  createService,
  createTokenVerifier,
  keyRingFromEnv,
  type App,
  type Database,
  type ServiceOptions,
} from '@healthmatch/platform';
import { createUsersClient } from './clients/users-client.ts';
import type { AuthConfig } from './config.ts';
import { pruneExpired } from './db/maintenance.ts';
import type * as schema from './db/schema.ts';
import { signingKeyStore } from './db/signing-key-repository.ts';
import { createAuthStore } from './db/store.ts';
import { AccessTokenIssuer } from './domain/access-tokens.ts';
import { AuthService } from './domain/auth-service.ts';
import { KeyRing } from './domain/key-ring.ts';
import { PasswordHasher } from './domain/passwords.ts';
import type { ProfileDirectory } from './domain/ports.ts';
import { authRoutes } from './routes/auth/index.ts';
import { keyRoutes } from './routes/keys/index.ts';

export interface AuthDeps {
  database: Database<typeof schema>;
  /** The users service; by default its HTTP client at USERS_URL. */
  profiles?: ProfileDirectory;
  logger?: ServiceOptions['logger'];
}

const PRUNE_EVERY_MS = 60 * 60_000;

/** The signing keys of this configuration and database (the app and the rotate command share it). */
export function createKeyRing(config: AuthConfig, database: Database<typeof schema>): KeyRing {
  const sealing = keyRingFromEnv('auth', 'SIGNING_KEY_ENCRYPTION_KEYS', config.SIGNING_KEY_ENCRYPTION_KEYS);
  return new KeyRing({
    store: signingKeyStore(database.db),
    encryption: sealing ? createFieldCipher(sealing) : undefined,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  });
}

export async function buildApp(config: AuthConfig, deps: AuthDeps): Promise<App> {
  const { database } = deps;
  const app = await createService({
    name: 'auth',
    description: 'Accounts, passwords, access and refresh tokens, signing keys',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    errorCodes: ErrorCodes,
    readiness: [{ name: 'database', check: () => database.ping() }],
    openapiTags: [{ name: 'auth', description: 'Register, log in, refresh, log out, JWKS' }],
  });
  app.addSchema(Problem);

  const keyRing = createKeyRing(config, database);
  app.decorate('keyRing', keyRing);

  const usersClient = deps.profiles ? undefined : createUsersClient({ baseUrl: config.USERS_URL, timeoutMs: config.USERS_TIMEOUT_MS });
  const auth = new AuthService({
    store: createAuthStore(database.db),
    hasher: new PasswordHasher({
      onUnsupportedHash: (scheme) => app.log.warn({ scheme }, 'a login met a password hash this build cannot verify'),
    }),
    accessTokens: new AccessTokenIssuer({ keys: keyRing, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS }),
    profiles: deps.profiles ?? usersClient!,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_DAYS * 86_400,
    throttle: {
      maxFailures: config.LOGIN_MAX_FAILURES,
      windowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: config.LOGIN_LOCKOUT_SECONDS,
    },
  });

  // Our own tokens are checked against our own keys, the same way other services check them.
  await app.register(authPlugin, {
    verifier: createTokenVerifier(keyRing.getKey, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, roles: ROLES }),
  });
  authRoutes(app, auth);
  keyRoutes(app, keyRing);

  // Housekeeping only in a listening process (not under inject()).
  let pruneTimer: NodeJS.Timeout | undefined;
  app.addHook('onListen', async () => {
    pruneTimer = setInterval(() => {
      pruneExpired(database.db).catch((err: unknown) => app.log.warn({ err }, 'pruning expired tokens failed'));
    }, PRUNE_EVERY_MS);
    pruneTimer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(pruneTimer);
    await usersClient?.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The auth service's signing keys (server.ts loads them before listening). */
    keyRing: KeyRing;
  }
}
