// Creates an admin account (the API never lets anyone register as admin). The password
// comes from the environment, never from the command line (shell history, ps):
//   ADMIN_EMAIL=ops@example.org ADMIN_PASSWORD='...' DATABASE_URL=<auth's database> npm run create-admin -w @healthmatch/auth
// With `npm start` running, auth's database is postgres://postgres:postgres@127.0.0.1:54329/hm_auth
// (the embedded server's default port and password). It must be auth's database, already
// set up by the auth service: the command creates no tables.
import { AppError, createDatabase, runMain } from '@healthmatch/platform';
import { loadAuthConfig } from './config.ts';
import * as schema from './db/schema.ts';
import { createAuthStore } from './db/store.ts';
import { checkAdminInput, createAdminAccount } from './domain/admin-accounts.ts';
import { PasswordHasher } from './domain/passwords.ts';

function fail(message: string, code = 1): void {
  console.error(message);
  process.exitCode = code;
}

runMain(async () => {
  const config = loadAuthConfig();
  const email = process.env.ADMIN_EMAIL ?? '';
  const password = process.env.ADMIN_PASSWORD ?? '';
  if (!email || !password) return fail('ADMIN_EMAIL and ADMIN_PASSWORD are required (the password is read from the environment only)', 2);
  try {
    checkAdminInput({ email, password });
  } catch (err) {
    if (err instanceof AppError) return fail(`${err.code}: ${err.detail ?? ''}`);
    throw err;
  }
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'auth-create-admin', max: 1 });
  try {
    const found = await database.pool.query(`select to_regclass('credentials') is not null and to_regclass('outbox') is not null as ok`);
    if (!found.rows[0]?.ok) return fail(`${new URL(config.DATABASE_URL).pathname.slice(1)} is not the auth service's database (no credentials/outbox tables): check DATABASE_URL, or start auth once first`);
    const admin = await createAdminAccount(createAuthStore(database.db), new PasswordHasher(), { email, password });
    console.log(`admin account created: ${admin.email} (${admin.id}); log in with POST /api/v1/auth/login`);
  } catch (err) {
    if (err instanceof AppError) return fail(`${err.code}: ${err.detail ?? ''}`);
    // Unreachable server, wrong password...: one line, no stack.
    const e = err as { code?: string; message?: string };
    return fail(`cannot use the database at ${new URL(config.DATABASE_URL).host}: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`);
  } finally {
    await database.close().catch(() => {});
  }
});
