// drizzle-kit config of the notifications service:
//   npx drizzle-kit generate --config services/notifications/drizzle.config.ts
// Paths are resolved from this file, so the command works from any directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'drizzle-kit';

const here = path.dirname(fileURLToPath(import.meta.url));
// Relative to the working directory: `generate --custom` mishandles absolute paths.
const fromCwd = (p: string) => path.relative(process.cwd(), path.join(here, p)) || '.';

export default defineConfig({
  dialect: 'postgresql',
  casing: 'snake_case',
  schema: fromCwd('src/db/schema.ts'),
  out: fromCwd('migrations'),
});
