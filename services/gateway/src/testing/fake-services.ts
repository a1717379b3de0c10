// Test support: small real HTTP servers on 127.0.0.1:0 (the kit's startJsonServer) that play
// the services behind the gateway (our own contract: full public paths, /readyz,
// /openapi.json, JWKS on auth), and the kit's token issuer whose key set auth serves.
import type { IncomingHttpHeaders } from 'node:http';
import { freePort } from '@healthmatch/platform';
import { createTestTokenIssuer, JWKS_PATH, sendJson, startJsonServer, type RequestHandler, type TestTokenIssuer } from '@healthmatch/platform/testing';
import type { JWK } from 'jose';
import { loadGatewayConfig, type GatewayConfig } from '../config.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeService {
  name: string;
  url: string;
  requests: RecordedRequest[];
  /** Answers `METHOD /path` (no query) with this handler instead of the echo. */
  on(route: string, handler: RequestHandler): void;
  close(): Promise<void>;
}

export interface FakeServiceOptions {
  openapi?: Record<string, unknown>;
  jwks?: { keys: JWK[] };
}

/** Paths the gateway itself calls (readiness, docs, keys): not recorded as forwarded requests. */
const OWN_PATHS = new Set(['/readyz', '/openapi.json', JWKS_PATH]);

export async function startFakeService(name: string, opts: FakeServiceOptions = {}): Promise<FakeService> {
  const requests: RecordedRequest[] = [];
  const handlers = new Map<string, RequestHandler>();
  const server = await startJsonServer((req, res) => {
    const key = `${req.method} ${req.path}`;
    if (!OWN_PATHS.has(req.path)) requests.push({ method: req.method, url: req.url, headers: req.headers, body: req.body });
    const handler = handlers.get(key);
    if (handler) return handler(req, res);
    if (key === 'GET /readyz') return sendJson(res, 200, { status: 'ready', service: name });
    if (key === 'GET /openapi.json' && opts.openapi) return sendJson(res, 200, opts.openapi);
    if (key === `GET ${JWKS_PATH}` && opts.jwks) return sendJson(res, 200, opts.jwks);
    // Echo: which service answered what it received.
    return sendJson(res, 200, { service: name, method: req.method, url: req.url, body: req.body.toString('utf8') });
  });
  return {
    name,
    url: server.url,
    requests,
    on: (route, handler) => handlers.set(route, handler),
    close: server.close,
  };
}

/** A closed port on 127.0.0.1: connecting to it is refused. */
export const closedPortUrl = async () => `http://127.0.0.1:${await freePort()}`;

/** Gateway configuration as the environment would give it, pointing at the fakes. */
export function gatewayConfig(env: Record<string, string | undefined>): GatewayConfig {
  return loadGatewayConfig({ LOG_LEVEL: 'silent', ...env });
}

export const minimalOpenApi = (paths: Record<string, unknown>, schemas: Record<string, unknown> = {}) => ({
  openapi: '3.1.0',
  info: { title: 'fake', version: '1.0.0' },
  components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas },
  paths,
});

export interface Stack {
  auth: FakeService;
  users: FakeService;
  catalog: FakeService;
  booking: FakeService;
  /** Signs access tokens; auth serves its key set. */
  issuer: TestTokenIssuer;
  /** Environment pointing the gateway at the fakes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The four services of today, auth serving the issuer's JWKS. */
export async function startStack(openapi: Partial<Record<'auth' | 'users' | 'catalog' | 'booking', Record<string, unknown>>> = {}): Promise<Stack> {
  const issuer = await createTestTokenIssuer();
  const [auth, users, catalog, booking] = await Promise.all([
    startFakeService('auth', { jwks: issuer.jwks, openapi: openapi.auth }),
    startFakeService('users', { openapi: openapi.users }),
    startFakeService('catalog', { openapi: openapi.catalog }),
    startFakeService('booking', { openapi: openapi.booking }),
  ]);
  return {
    auth,
    users,
    catalog,
    booking,
    issuer,
    env: { AUTH_URL: auth.url, USERS_URL: users.url, CATALOG_URL: catalog.url, BOOKING_URL: booking.url },
    close: async () => {
      await Promise.all([auth, users, catalog, booking].map((s) => s.close()));
    },
  };
}
