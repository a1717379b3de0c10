// Test support: small real HTTP servers on 127.0.0.1:0 that play the services behind the
// gateway (our own contract: full public paths, /readyz, /openapi.json, JWKS on auth), and
// Ed25519 keys to sign access tokens with.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { freePort } from '@healthmatch/platform';
import { loadGatewayConfig, type GatewayConfig } from '../config.ts';

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type FakeHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export interface FakeService {
  name: string;
  url: string;
  requests: RecordedRequest[];
  /** Answers `METHOD /path` (no query) with this handler instead of the echo. */
  on(route: string, handler: FakeHandler): void;
  close(): Promise<void>;
}

export interface FakeServiceOptions {
  openapi?: Record<string, unknown>;
  jwks?: { keys: JWK[] };
}

export const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(body));
};

export async function startFakeService(name: string, opts: FakeServiceOptions = {}): Promise<FakeService> {
  const requests: RecordedRequest[] = [];
  const handlers = new Map<string, FakeHandler>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = (req.url ?? '/').split('?')[0];
      const key = `${req.method} ${path}`;
      if (path !== '/readyz' && path !== '/openapi.json' && path !== '/.well-known/jwks.json') {
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      }
      const handler = handlers.get(key);
      if (handler) return handler(req, res, body);
      if (key === 'GET /readyz') return json(res, 200, { status: 'ready', service: name });
      if (key === 'GET /openapi.json' && opts.openapi) return json(res, 200, opts.openapi);
      if (key === 'GET /.well-known/jwks.json' && opts.jwks) return json(res, 200, opts.jwks);
      // Echo: which service answered what it received.
      json(res, 200, { service: name, method: req.method, url: req.url, body: body.toString('utf8') });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, handler) => handlers.set(route, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface TokenSigner {
  jwks: { keys: JWK[] };
  sign(claims?: { role?: string; sub?: string; exp?: number | string; aud?: string }): Promise<string>;
}

export async function createSigner(kid = 'test-key-1'): Promise<TokenSigner> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK;
  return {
    jwks: { keys: [jwk] },
    sign: (c = {}) =>
      new SignJWT({ role: c.role ?? 'patient', typ: 'access' })
        .setProtectedHeader({ alg: 'EdDSA', kid })
        .setSubject(c.sub ?? '0190b6c2-0000-7000-8000-000000000001')
        .setIssuer('healthmatch-auth')
        .setAudience(c.aud ?? 'healthmatch')
        .setIssuedAt()
        .setExpirationTime(c.exp ?? '5m')
        .sign(privateKey),
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
  signer: TokenSigner;
  /** Environment pointing the gateway at the fakes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The four services of today, auth serving the signer's JWKS. */
export async function startStack(openapi: Partial<Record<'auth' | 'users' | 'catalog' | 'booking', Record<string, unknown>>> = {}): Promise<Stack> {
  const signer = await createSigner();
  const [auth, users, catalog, booking] = await Promise.all([
    startFakeService('auth', { jwks: signer.jwks, openapi: openapi.auth }),
    startFakeService('users', { openapi: openapi.users }),
    startFakeService('catalog', { openapi: openapi.catalog }),
    startFakeService('booking', { openapi: openapi.booking }),
  ]);
  return {
    auth,
    users,
    catalog,
    booking,
    signer,
    env: { AUTH_URL: auth.url, USERS_URL: users.url, CATALOG_URL: catalog.url, BOOKING_URL: booking.url },
    close: async () => {
      await Promise.all([auth, users, catalog, booking].map((s) => s.close()));
    },
  };
}
