import { ConfigError } from '@healthmatch/platform';
import { describe, expect, it } from 'vitest';
import { loadAuthConfig } from './config.ts';

describe('auth config', () => {
  it('needs DATABASE_URL and says so in one message', () => {
    try {
      loadAuthConfig({});
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^auth: invalid configuration:\n {2}- DATABASE_URL is required/);
    }
  });

  it('lists every bad variable at once', () => {
    expect(() => loadAuthConfig({ DATABASE_URL: 'mysql://x', ACCESS_TOKEN_TTL_SECONDS: 'soon', LOGIN_MAX_FAILURES: '0' })).toThrow(
      /DATABASE_URL is invalid[\s\S]*ACCESS_TOKEN_TTL_SECONDS is invalid[\s\S]*LOGIN_MAX_FAILURES is invalid/,
    );
  });

  it('checks the signing key encryption keys without quoting them', () => {
    const secret = 'c2hvcnQtc2VjcmV0LW1hdGVyaWFs';
    try {
      loadAuthConfig({ DATABASE_URL: 'postgres://localhost/auth', SIGNING_KEY_ENCRYPTION_KEYS: `k1:${secret}` });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('SIGNING_KEY_ENCRYPTION_KEYS is invalid');
      expect((err as Error).message).not.toContain(secret);
    }
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadAuthConfig({ DATABASE_URL: 'postgres://localhost/auth', SIGNING_KEY_ENCRYPTION_KEYS: `k2:${key},k1:${key.replace('B', 'C')}` }).SIGNING_KEY_ENCRYPTION_KEYS).toContain('k2:');
  });

  it('has the documented defaults', () => {
    expect(loadAuthConfig({ DATABASE_URL: 'postgres://localhost/auth' })).toMatchObject({
      PORT: 8081,
      USERS_URL: 'http://127.0.0.1:8082',
      JWT_ISSUER: 'healthmatch-auth',
      JWT_AUDIENCE: 'healthmatch',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 30,
      LOGIN_MAX_FAILURES: 5,
      LOGIN_FAILURE_WINDOW_SECONDS: 900,
      LOGIN_LOCKOUT_SECONDS: 900,
    });
  });
});
