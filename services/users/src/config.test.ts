import { ConfigError, generateFieldKey } from '@healthmatch/platform';
import { describe, expect, it } from 'vitest';
import { loadUsersConfig } from './config.ts';

describe('users configuration', () => {
  it('has the documented defaults and needs only DATABASE_URL', () => {
    const c = loadUsersConfig({ DATABASE_URL: 'postgres://u@127.0.0.1:5432/hm_users' });
    expect(c).toMatchObject({ PORT: 8082, HOST: '127.0.0.1', AUTH_URL: 'http://127.0.0.1:8081', JWT_ISSUER: 'healthmatch-auth', JWT_AUDIENCE: 'healthmatch' });
    expect(c.FIELD_ENCRYPTION_KEYS).toBeUndefined();
  });

  it('lists every bad variable at once', () => {
    try {
      loadUsersConfig({ PORT: 'eighty', AUTH_URL: 'localhost:8081' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).toMatch(/DATABASE_URL is required/);
      expect(message).toMatch(/PORT is invalid/);
      expect(message).toMatch(/AUTH_URL is invalid/);
    }
  });

  it('checks FIELD_ENCRYPTION_KEYS without printing key material', () => {
    const key = generateFieldKey();
    const short = Buffer.alloc(16, 7).toString('base64');
    for (const spec of [`k1:${short}`, `k1:${key},k1:${key}`, key]) {
      try {
        loadUsersConfig({ DATABASE_URL: 'postgres://u@h/d', FIELD_ENCRYPTION_KEYS: spec });
        throw new Error('expected a ConfigError');
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/FIELD_ENCRYPTION_KEYS is invalid/);
        expect((err as Error).message).not.toContain(key.slice(0, 10));
        expect((err as Error).message).not.toContain(short.slice(0, 10));
      }
    }
    expect(loadUsersConfig({ DATABASE_URL: 'postgres://u@h/d', FIELD_ENCRYPTION_KEYS: `k2:${key},k1:${generateFieldKey()}` }).FIELD_ENCRYPTION_KEYS).toContain('k2:');
  });
});
