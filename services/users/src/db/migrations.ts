import { fileURLToPath } from 'node:url';

/** Generated SQL of this service (drizzle-kit), applied at start-up by runMigrations. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));
export const MIGRATIONS_NAME = 'users';
