// Environment of the auth service, parsed once; a bad or missing variable stops the start
// with one message that lists every problem.
import { BaseEnv, EventsEnv, Env, keyRingFromEnv, loadConfig } from '@healthmatch/platform';
import { Type, type Static } from '@sinclair/typebox';

export const AuthEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8081),
  DATABASE_URL: Env.postgresUrl(),
  USERS_URL: Env.url({ default: 'http://127.0.0.1:8082' }),
  USERS_TIMEOUT_MS: Env.int({ default: 5_000, minimum: 100, maximum: 60_000 }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  ...EventsEnv,
  ACCESS_TOKEN_TTL_SECONDS: Env.int({ default: 900, minimum: 60, maximum: 86_400 }),
  REFRESH_TOKEN_TTL_DAYS: Env.int({ default: 30, minimum: 1, maximum: 365 }),
  LOGIN_MAX_FAILURES: Env.int({ default: 5, minimum: 1, maximum: 1_000 }),
  LOGIN_FAILURE_WINDOW_SECONDS: Env.int({ default: 900, minimum: 1, maximum: 86_400 }),
  LOGIN_LOCKOUT_SECONDS: Env.int({ default: 900, minimum: 1, maximum: 86_400 }),
  // No pattern on purpose: loadConfig quotes invalid values, and this one is a secret.
  SIGNING_KEY_ENCRYPTION_KEYS: Env.optional(
    Type.String({ description: 'keyId:<base64 of 32 bytes>[,keyId:<base64>...]; the first key seals new signing keys, all listed keys open them' }),
  ),
});

export type AuthConfig = Static<typeof AuthEnv>;

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const config = loadConfig('auth', AuthEnv, env);
  // Fails fast on a malformed ring (the message never quotes key material). Unset stays
  // unset: auth has no local-key fallback, private keys are then stored as plain JWK.
  keyRingFromEnv('auth', 'SIGNING_KEY_ENCRYPTION_KEYS', config.SIGNING_KEY_ENCRYPTION_KEYS);
  return config;
}
