import { describe, expect, it } from 'vitest';
import { normaliseEmail } from './email.ts';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.ts';

describe('refresh tokens', () => {
  it('are 256 random bits, url-safe, and stored as sha-256', () => {
    const t = newRefreshToken();
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newRefreshToken()).not.toBe(t);
    expect(hashRefreshToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(t)).toBe(hashRefreshToken(t));
  });
});

describe('normaliseEmail', () => {
  it('lower-cases and trims', () => {
    expect(normaliseEmail('  Anna.Rossi@Example.COM ')).toBe('anna.rossi@example.com');
  });
});
