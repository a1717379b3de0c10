// drizzle-kit configuration of the users service; run from the repository root:
//   npx drizzle-kit generate --config services/users/drizzle.config.ts
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/users/src/db/schema.ts',
  out: './services/users/migrations',
  casing: 'snake_case',
});
