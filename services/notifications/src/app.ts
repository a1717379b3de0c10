// buildApp(): the notifications service as a Fastify instance that never listens (tests use
// inject(); server.ts listens and runs the consumer and the delivery worker).
import { ErrorCodes, Problem, ROLES } from '@healthmatch/contracts';
import { type App, authPlugin, authServiceVerifier, createService, type ServiceOptions, type TokenVerifier } from '@healthmatch/platform';
import { systemClock, type Clock } from './clock.ts';
import type { NotificationsConfig } from './config.ts';
import { createNotificationsDatabase, type NotificationsDatabase } from './db/database.ts';
import { notificationRepository } from './db/notification-repository.ts';
import { notificationRoutes } from './routes/notifications/index.ts';

export interface NotificationsAppDeps {
  /** Default: a pool on config.DATABASE_URL, closed with the app. A given one is the caller's to close. */
  database?: NotificationsDatabase;
  /** Default: access tokens checked against the auth service's JWKS. */
  verifier?: TokenVerifier;
  clock?: Clock;
  logger?: ServiceOptions['logger'];
}

export async function buildApp(config: NotificationsConfig, deps: NotificationsAppDeps = {}): Promise<App> {
  const database = deps.database ?? createNotificationsDatabase(config.DATABASE_URL);
  const app = await createService({
    name: 'notifications',
    description: 'E-mail confirmations, calendar invites and reminders; the delivery log',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    errorCodes: ErrorCodes,
    readiness: [{ name: 'database', check: () => database.ping() }],
    openapiTags: [{ name: 'notifications', description: 'What was sent to whom, when, and what failed' }],
  });
  app.addHook('onClose', async () => {
    if (!deps.database) await database.close();
  });
  app.addSchema(Problem);
  try {
    const verifier = deps.verifier ?? authServiceVerifier(config, ROLES);
    await app.register(authPlugin, { verifier });
    notificationRoutes(app, { repo: notificationRepository(database), now: deps.clock ?? systemClock });
  } catch (err) {
    await app.close();
    throw err;
  }
  return app;
}
