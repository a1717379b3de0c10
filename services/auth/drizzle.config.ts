// drizzle-kit config of the auth service. Run from the repository root:
//   npx drizzle-kit generate --config services/auth/drizzle.config.ts
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/auth/src/db/schema.ts',
  out: './services/auth/migrations',
  casing: 'snake_case',
});
