// The gateway's environment. Parsed once at start; every bad variable is listed at once.
import { BaseEnv, ConfigError, Env, loadConfig } from '@healthmatch/platform';
import { Type, type Static } from '@sinclair/typebox';
import { isIP } from 'node:net';

export const GatewayEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8080),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  USERS_URL: Env.url({ default: 'http://127.0.0.1:8082' }),
  CATALOG_URL: Env.url({ default: 'http://127.0.0.1:8083' }),
  BOOKING_URL: Env.url({ default: 'http://127.0.0.1:8084' }),
  /** Optional until those services exist: unset means their prefix is not routed. */
  PAYMENTS_URL: Env.optional(Env.url()),
  NOTIFICATIONS_URL: Env.optional(Env.url()),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  UPSTREAM_TIMEOUT_MS: Env.int({ default: 10_000, minimum: 50, maximum: 300_000 }),
  UPSTREAM_CONNECT_TIMEOUT_MS: Env.int({ default: 3_000, minimum: 50, maximum: 60_000 }),
  BODY_LIMIT_BYTES: Env.int({ default: 256 * 1024, minimum: 1024, maximum: 10 * 1024 * 1024 }),
  /** Login and register, each counted per client address. */
  AUTH_RATE_LIMIT_MAX: Env.int({ default: 30, minimum: 1 }),
  AUTH_RATE_LIMIT_WINDOW_SECONDS: Env.int({ default: 60, minimum: 1 }),
  /** Everything else, per client address. */
  RATE_LIMIT_MAX: Env.int({ default: 1200, minimum: 1 }),
  RATE_LIMIT_WINDOW_SECONDS: Env.int({ default: 60, minimum: 1 }),
  REDIS_URL: Env.optional(Env.url()),
  /** Comma-separated origins allowed by CORS (`https://app.example.org`), or `*`; empty: no CORS. */
  CORS_ORIGINS: Env.string({ default: '' }),
  /** `false`, `true` (trust every proxy: only when nothing can reach the gateway directly) or comma-separated proxy addresses/CIDRs. */
  TRUST_PROXY: Env.string({ default: 'false' }),
  /** How long a service's fetched OpenAPI document is reused by /docs. */
  DOCS_CACHE_SECONDS: Env.int({ default: 60, minimum: 0 }),
});

export type GatewayEnv = Static<typeof GatewayEnv>;

export interface GatewayConfig extends GatewayEnv {
  corsOrigins: string[];
  trustProxy: boolean | string[];
}

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const raw = loadConfig('gateway', GatewayEnv, env);
  const problems: string[] = [];
  const corsOrigins = parseCorsOrigins(raw.CORS_ORIGINS, problems);
  const trustProxy = parseTrustProxy(raw.TRUST_PROXY, problems);
  if (problems.length > 0) throw new ConfigError('gateway', problems);
  return { ...raw, corsOrigins, trustProxy };
}

function parseCorsOrigins(value: string, problems: string[]): string[] {
  const origins = value.split(',').map((o) => o.trim()).filter(Boolean);
  for (const o of origins) {
    if (o === '*') continue;
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) problems.push(`CORS_ORIGINS is invalid: ${JSON.stringify(o)} is not an origin like https://app.example.org (no path, no trailing slash)`);
  }
  return origins;
}

const PROXY_ADDR_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function parseTrustProxy(value: string, problems: string[]): boolean | string[] {
  const v = value.trim();
  if (/^(false|0|no|off)?$/i.test(v)) return false;
  if (/^(true|yes|on)$/i.test(v)) return true;
  const entries = v.split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of entries) {
    const [addr = '', bits, ...rest] = e.split('/');
    const family = isIP(addr);
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!PROXY_ADDR_NAMES.has(e) && (family === 0 || !bitsOk || rest.length > 0)) {
      // A hop count is refused on purpose: Fastify cannot check the peer for it and trusts nothing.
      problems.push(`TRUST_PROXY is invalid: ${JSON.stringify(e)} (use true, false, or addresses/CIDRs such as 10.0.0.0/8, loopback)`);
    }
  }
  return entries;
}
