// Environment of the users service, parsed once at start-up.
import { BaseEnv, EventsEnv, Env, FIELD_ENCRYPTION_KEYS, keyRingFromEnv, loadConfig } from '@healthmatch/platform';
import { Type, type Static } from '@sinclair/typebox';

export const UsersEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8082),
  DATABASE_URL: Env.postgresUrl(),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  ...EventsEnv,
  // No pattern on purpose: loadConfig quotes invalid values, and this one is a secret.
  FIELD_ENCRYPTION_KEYS: Env.optional(
    Type.String({ description: 'keyId:<base64 of 32 bytes>[,keyId:<base64>...]; the first key encrypts, all listed keys decrypt' }),
  ),
});

export type UsersConfig = Static<typeof UsersEnv>;

export function loadUsersConfig(env: Record<string, string | undefined> = process.env): UsersConfig {
  const config = loadConfig('users', UsersEnv, env);
  // Fails fast on a malformed ring (the message never quotes key material).
  keyRingFromEnv('users', FIELD_ENCRYPTION_KEYS, config.FIELD_ENCRYPTION_KEYS);
  return config;
}
