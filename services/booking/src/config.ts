// Environment of the booking service, parsed once; a bad or missing variable stops the
// process with one message listing every problem.
import { Type, type Static } from '@sinclair/typebox';
import { BaseEnv, EventsEnv, Env, FIELD_ENCRYPTION_KEYS, keyRingFromEnv, loadConfig } from '@healthmatch/platform';

export const BookingEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8084),
  DATABASE_URL: Env.postgresUrl(),
  CATALOG_URL: Env.url({ default: 'http://127.0.0.1:8083' }),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  ...EventsEnv,
  // No pattern on purpose: loadConfig quotes invalid values, and this one is a secret.
  FIELD_ENCRYPTION_KEYS: Env.optional(
    Type.String({ description: 'keyId:<base64 of 32 bytes>[,keyId:<base64>...]; the first key encrypts, all listed keys decrypt' }),
  ),
});
export type BookingConfig = Static<typeof BookingEnv>;

export function loadBookingConfig(env: Record<string, string | undefined> = process.env): BookingConfig {
  const config = loadConfig('booking', BookingEnv, env);
  // Fails fast on a malformed ring (the message never quotes key material).
  keyRingFromEnv('booking', FIELD_ENCRYPTION_KEYS, config.FIELD_ENCRYPTION_KEYS);
  return config;
}
