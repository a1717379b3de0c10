export * from './config.ts';
export * from './errors.ts';
export * from './service.ts';
export * from './metrics.ts';
export * from './db.ts';
export * from './auth.ts';
export * from './http-client.ts';
export * from './server.ts';
export * from './pagination.ts';
export * from './openapi-docs.ts';
export * from './crypto.ts';
export * from './field-keys.ts';
// Not re-exported from './embedded-postgres.ts': importing it installs exit-on-signal
// handlers in every service (see embedded-postgres-lazy.ts).
export { startEmbeddedPostgres } from './embedded-postgres-lazy.ts';
export type { EmbeddedPostgresHandle } from './embedded-postgres.ts';
export { ensureDatabase, freePort } from './postgres-admin.ts';
export { compileSchemaCheck, type SchemaCheck } from './validation.ts';
