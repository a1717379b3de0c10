// drizzle-kit configuration of the catalog service; run from the repository root:
//   npx drizzle-kit generate --config services/catalog/drizzle.config.ts
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/catalog/src/db/schema.ts',
  out: './services/catalog/migrations',
  casing: 'snake_case',
});
