import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.ts';

describe('gateway configuration', () => {
  it('has working defaults', () => {
    const c = loadGatewayConfig({});
    expect(c).toMatchObject({ PORT: 8080, AUTH_URL: 'http://127.0.0.1:8081', UPSTREAM_TIMEOUT_MS: 10_000, AUTH_RATE_LIMIT_MAX: 30, corsOrigins: [], trustProxy: false });
    expect(c.PAYMENTS_URL).toBeUndefined();
  });

  it('parses CORS origins and proxy addresses', () => {
    const c = loadGatewayConfig({ CORS_ORIGINS: 'https://app.example.org, http://localhost:5173', TRUST_PROXY: '10.0.0.0/8, loopback, ::1' });
    expect(c.corsOrigins).toEqual(['https://app.example.org', 'http://localhost:5173']);
    expect(c.trustProxy).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(loadGatewayConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('lists every bad variable at once', () => {
    expect(() => loadGatewayConfig({ CORS_ORIGINS: 'https://app.example.org/', TRUST_PROXY: '2', UPSTREAM_TIMEOUT_MS: 'soon' })).toThrow(/UPSTREAM_TIMEOUT_MS/);
    try {
      loadGatewayConfig({ CORS_ORIGINS: 'https://app.example.org/', TRUST_PROXY: '2' });
      expect.unreachable();
    } catch (err) {
      expect((err as Error).message).toMatch(/CORS_ORIGINS[\s\S]*TRUST_PROXY/);
    }
  });
});
