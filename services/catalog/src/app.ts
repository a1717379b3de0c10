// buildApp(): the catalog service as a Fastify instance that never listens (tests inject()).
import { ErrorCodes, Problem, ROLES } from '@healthmatch/contracts';
import { type App, authPlugin, authServiceVerifier, createService, type ServiceOptions, type TokenVerifier } from '@healthmatch/platform';
import { createUsersClient } from './clients/users-client.ts';
import { dataDirOf, type CatalogConfig } from './config.ts';
import { catalogueImportStore, catalogueReader } from './db/catalogue-repository.ts';
import type { CatalogDatabase } from './db/database.ts';
import { offeringRepository } from './db/offering-repository.ts';
import { importCatalogue, type ImportOutcome } from './domain/catalogue-import.ts';
import type { OfferingDeps } from './domain/offerings.ts';
import type { ImportTrigger, ProviderDirectory } from './domain/ports.ts';
import { offeringRoutes } from './routes/offerings/index.ts';
import { searchRoutes } from './routes/search/index.ts';
import { serviceRoutes } from './routes/services/index.ts';
import { specialtyRoutes } from './routes/specialties/index.ts';

export interface CatalogDeps {
  database: CatalogDatabase;
  /** Access-token checks; by default against the auth service's JWKS at AUTH_URL. */
  verifier?: TokenVerifier;
  /** The users service; by default its HTTP client at USERS_URL. */
  providers?: ProviderDirectory;
  /** Folder of the public source files; by default HEALTHMATCH_DATA_DIR or ../shared/data. */
  dataDir?: string;
  logger?: ServiceOptions['logger'];
}

export interface CatalogueImporter {
  dataDir: string;
  /** Imports when the catalogue is empty or its sources (or derivation rules) changed; `force` always imports. */
  run(trigger: ImportTrigger, opts?: { force?: boolean }): Promise<ImportOutcome>;
}

export async function buildApp(config: CatalogConfig, deps: CatalogDeps): Promise<App> {
  const { database } = deps;
  const app = await createService({
    name: 'catalog',
    description: 'Specialties, the national catalogue of services, provider offerings and search',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    errorCodes: ErrorCodes,
    readiness: [{ name: 'database', check: () => database.ping() }],
    openapiTags: [
      { name: 'catalog', description: 'Specialties, catalogue services, search' },
      { name: 'offerings', description: 'What providers offer, at which price, where' },
    ],
  });
  app.addSchema(Problem);

  const verifier = deps.verifier ?? authServiceVerifier(config, ROLES);
  await app.register(authPlugin, { verifier });

  const usersClient = deps.providers ? undefined : createUsersClient({ baseUrl: config.USERS_URL, timeoutMs: config.USERS_TIMEOUT_MS });
  const catalogue = catalogueReader(database.db);
  const offerings = offeringRepository(database.db);
  const offeringDeps: OfferingDeps = {
    offerings,
    catalogue,
    providers: deps.providers ?? usersClient!,
    warn: (msg, context) => app.log.warn(context, msg),
  };

  const dataDir = deps.dataDir ?? dataDirOf(config);
  const importStore = catalogueImportStore(database.db);
  app.decorate('catalogueImporter', {
    dataDir,
    run: (trigger: ImportTrigger, opts: { force?: boolean } = {}) => importCatalogue(importStore, { dataDir, trigger, force: opts.force }),
  } satisfies CatalogueImporter);

  specialtyRoutes(app, catalogue);
  serviceRoutes(app, catalogue);
  offeringRoutes(app, offeringDeps);
  searchRoutes(app, offerings);

  app.addHook('onClose', async () => {
    await usersClient?.close();
  });
  return app;
}

/**
 * The start-up import: runs only when needed. A missing data folder or an unreadable source
 * file does not stop the service (it serves what it has, possibly nothing); it is logged
 * loudly. Database errors do stop it.
 */
export async function importAtStartup(app: App): Promise<ImportOutcome | undefined> {
  const { catalogueImporter: importer } = app;
  try {
    const outcome = await importer.run('startup');
    if (outcome.status === 'no-data') {
      app.log.warn(
        { dataDir: outcome.dataDir, missing: outcome.missing },
        `CATALOGUE DATA NOT FOUND: ${outcome.missing.join(', ')} missing in ${outcome.dataDir}. The catalog starts without importing and serves ` +
          'the catalogue the database already holds, if any (on a fresh database: no services, and search finds nothing). ' +
          'Set HEALTHMATCH_DATA_DIR to the data folder and restart, or run `npm run catalog:import`.',
      );
    } else if (outcome.status === 'imported') {
      app.log.info(
        {
          services: outcome.report.services,
          applied: outcome.applied,
          rejected: outcome.report.rejectedCount,
          durationMs: outcome.durationMs,
          readMs: outcome.readMs,
        },
        'catalogue imported',
      );
      if (outcome.report.unresolvedRules.length > 0) app.log.warn({ unresolvedRules: outcome.report.unresolvedRules }, 'specialty rules without a branch');
      if (outcome.report.rejectedCount > 0) app.log.warn({ rejected: outcome.report.rejected }, 'catalogue rows rejected');
    } else {
      app.log.info({ services: outcome.report.services, durationMs: outcome.durationMs }, 'catalogue up to date; nothing to import');
    }
    return outcome;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'CATALOG_SOURCE_INVALID') {
      app.log.error({ err, dataDir: importer.dataDir }, 'CATALOGUE SOURCE INVALID: import skipped; serving the catalogue as it was');
      return undefined;
    }
    throw err;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    catalogueImporter: CatalogueImporter;
  }
}
