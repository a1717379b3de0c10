// Environment of the catalog service, parsed once at start-up; a bad or missing variable
// stops the process with one message listing every problem.
import { BaseEnv, Env, loadConfig } from '@healthmatch/platform';
import { Type, type Static } from '@sinclair/typebox';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, from this file's own location (never from the working directory). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `../shared/data` next to the repository: where every checkout and CI run has the public data. */
export const DEFAULT_DATA_DIR = path.resolve(REPO_ROOT, '../shared/data');

export const CatalogEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8083),
  DATABASE_URL: Env.postgresUrl(),
  USERS_URL: Env.url({ default: 'http://127.0.0.1:8082' }),
  USERS_TIMEOUT_MS: Env.int({ default: 3_000, minimum: 100, maximum: 60_000 }),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  HEALTHMATCH_DATA_DIR: Env.optional(
    Type.String({ minLength: 1, description: 'folder of the public data files; a relative path is taken from the repository root' }),
  ),
});

export type CatalogConfig = Static<typeof CatalogEnv>;

export function loadCatalogConfig(env: Record<string, string | undefined> = process.env): CatalogConfig {
  return loadConfig('catalog', CatalogEnv, env);
}

/** The data directory as an absolute path: HEALTHMATCH_DATA_DIR (relative to the repository root) or the default. */
export function dataDirOf(config: Pick<CatalogConfig, 'HEALTHMATCH_DATA_DIR'>): string {
  const configured = config.HEALTHMATCH_DATA_DIR;
  return configured ? path.resolve(REPO_ROOT, configured) : DEFAULT_DATA_DIR;
}
