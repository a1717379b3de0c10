// Which service answers which public prefix, and which requests need no access token.
// Services serve the full public paths themselves; the gateway forwards the path unchanged.
// Anything not listed here (notably /internal/*) is never forwarded.
import type { GatewayConfig } from './config.ts';

export interface Upstream {
  /** Service name, for logs, metrics, problems and the docs. */
  service: string;
  /** Base URL, without a trailing slash. */
  url: string;
  /** Path prefixes routed to it: the prefix itself and everything below it. */
  prefixes: string[];
}

/** One line per service. A service whose URL is unset (payments, notifications until they ship) is not routed. */
export function upstreamsFrom(config: GatewayConfig): Upstream[] {
  const table: Array<[service: string, url: string | undefined, prefixes: string[]]> = [
    ['auth', config.AUTH_URL, ['/api/v1/auth']],
    ['users', config.USERS_URL, ['/api/v1/users', '/api/v1/providers']],
    ['catalog', config.CATALOG_URL, ['/api/v1/catalog']],
    ['booking', config.BOOKING_URL, ['/api/v1/booking']],
    ['payments', config.PAYMENTS_URL, ['/api/v1/payments']],
    ['notifications', config.NOTIFICATIONS_URL, ['/api/v1/notifications']],
  ];
  return table
    .filter((row): row is [string, string, string[]] => typeof row[1] === 'string' && row[1] !== '')
    .map(([service, url, prefixes]) => ({ service, url: url.replace(/\/+$/, ''), prefixes }));
}

/** Exact paths outside the prefixes that are routed too: the JWKS at its well-known place. */
export const EXTRA_ROUTES: ReadonlyArray<{ method: 'GET'; path: string; service: string }> = [
  { method: 'GET', path: '/.well-known/jwks.json', service: 'auth' },
];

export function ownerOf(path: string, upstreams: readonly Upstream[]): Upstream | undefined {
  return upstreams.find((u) => u.prefixes.some((p) => path === p || path.startsWith(`${p}/`)));
}

// `{id}` is one UUID segment, so `/providers/me` or `/offerings/mine` still need a token.
// A trailing slash is ignored. HEAD follows GET.
const PUBLIC_ROUTES: ReadonlyArray<readonly [method: 'GET' | 'POST', pattern: string]> = [
  ['POST', '/api/v1/auth/register'],
  ['POST', '/api/v1/auth/login'],
  ['POST', '/api/v1/auth/refresh'],
  ['POST', '/api/v1/auth/logout'],
  ['GET', '/.well-known/jwks.json'],
  ['GET', '/api/v1/auth/jwks'],
  ['GET', '/api/v1/auth/.well-known/jwks.json'],
  ['GET', '/api/v1/providers'],
  ['GET', '/api/v1/providers/{id}'],
  ['GET', '/api/v1/catalog/specialties'],
  ['GET', '/api/v1/catalog/services'],
  ['GET', '/api/v1/catalog/services/{id}'],
  ['GET', '/api/v1/catalog/search'],
  ['GET', '/api/v1/catalog/offerings/{id}'],
  ['GET', '/api/v1/catalog/providers/{id}/offerings'],
  ['GET', '/api/v1/booking/slots'],
];

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const compiled = PUBLIC_ROUTES.map(([method, pattern]) => ({
  method,
  re: new RegExp(`^${pattern.split('{id}').map(escapeRegExp).join(UUID)}/?$`),
}));

/** `path` is the raw path (no query), already checked by the path guard. */
export function isPublic(method: string, path: string): boolean {
  const m = method === 'HEAD' ? 'GET' : method;
  return compiled.some((r) => r.method === m && r.re.test(path));
}
