// Environment of the booking service, parsed once; a bad or missing variable stops the
// process with one message listing every problem.
import { Type, type Static } from '@sinclair/typebox';
import { BaseEnv, Env, loadConfig } from '@healthmatch/platform';

export const BookingEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8084),
  DATABASE_URL: Env.postgresUrl(),
  CATALOG_URL: Env.url({ default: 'http://127.0.0.1:8083' }),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
});
export type BookingConfig = Static<typeof BookingEnv>;

export function loadBookingConfig(env: Record<string, string | undefined> = process.env): BookingConfig {
  return loadConfig('booking', BookingEnv, env);
}
