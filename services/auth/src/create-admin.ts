// Creates an admin account (the API never lets anyone register as admin). The password
// comes from the environment, never from the command line (shell history, ps):
//   ADMIN_EMAIL=ops@example.org ADMIN_PASSWORD='...' DATABASE_URL=... npm run create-admin -w @healthmatch/auth
// With `npm start` running, DATABASE_URL is the hm_auth database on the embedded server
// (postgres://postgres@127.0.0.1:54329/hm_auth by default).
import { AppError, createDatabase, runMain, runMigrations } from '@healthmatch/platform';
import { fileURLToPath } from 'node:url';
import { loadAuthConfig } from './config.ts';
import * as schema from './db/schema.ts';
import { createAuthStore } from './db/store.ts';
import { createAdminAccount } from './domain/admin-accounts.ts';
import { PasswordHasher } from './domain/passwords.ts';

runMain(async () => {
  const config = loadAuthConfig();
  const email = process.env.ADMIN_EMAIL ?? '';
  const password = process.env.ADMIN_PASSWORD ?? '';
  if (!email || !password) {
    console.error('ADMIN_EMAIL and ADMIN_PASSWORD are required (the password is read from the environment only)');
    process.exitCode = 2;
    return;
  }
  await runMigrations(config.DATABASE_URL, fileURLToPath(new URL('../migrations', import.meta.url)), 'auth');
  const database = createDatabase(config.DATABASE_URL, schema, { applicationName: 'auth-create-admin', max: 1 });
  try {
    const admin = await createAdminAccount(createAuthStore(database.db), new PasswordHasher(), { email, password });
    console.log(`admin account created: ${admin.email} (${admin.id}); log in with POST /api/v1/auth/login`);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    console.error(`${err.code}: ${err.detail ?? ''}${err.extras.errors ? ` ${JSON.stringify(err.extras.errors)}` : ''}`);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
});
