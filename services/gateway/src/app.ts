// The gateway: the only public entry. It routes by prefix, checks the access token at the
// edge, limits request rates per client address, answers CORS preflights, and serves the
// merged API documentation. It owns no data.
import rateLimit from '@fastify/rate-limit';
import { Redis } from 'ioredis';
import { ROLES } from '@healthmatch/contracts';
import {
  type App,
  AppError,
  authPlugin,
  authServiceVerifier,
  createHttpClient,
  createService,
  type ServiceOptions,
  type TokenVerifier,
} from '@healthmatch/platform';
import type { GatewayConfig } from './config.ts';
import { registerCors } from './cors.ts';
import { docsRoutes } from './docs.ts';
import { pathProblem } from './path-guard.ts';
import { proxyRoutes } from './proxy.ts';
import { upstreamsFrom } from './route-table.ts';
import { statusRoutes } from './status.ts';

export interface GatewayDeps {
  logger?: ServiceOptions['logger'];
  /** Defaults to the auth service's JWKS. */
  verifier?: TokenVerifier;
}

/** Timeout of the gateway's own calls to the services (docs, status), not of proxied requests. */
const SIDE_CALL_TIMEOUT_MS = 3_000;

export async function buildApp(config: GatewayConfig, deps: GatewayDeps = {}): Promise<App> {
  const app = await createService({
    name: 'gateway',
    description: 'The public entry of HealthMatch',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.trustProxy,
  });
  const upstreams = upstreamsFrom(config);

  // First of the gateway's hooks: a target that could escape its prefix goes nowhere.
  app.addHook('onRequest', async (req) => {
    const problem = pathProblem(req.raw.url ?? '');
    if (problem) throw new AppError('BAD_REQUEST', `Rejected request path: ${problem}`);
  });

  registerCors(app, config.corsOrigins);

  // With REDIS_URL every gateway replica counts in one place; without it each counts in
  // its own memory (the embedded default). If Redis is unreachable, requests go through
  // (skipOnError) rather than the whole API failing: auth still throttles logins per account.
  const redis = config.REDIS_URL
    ? new Redis(config.REDIS_URL, { connectTimeout: 2_000, maxRetriesPerRequest: 1, commandTimeout: 500, lazyConnect: false })
    : undefined;
  if (redis) {
    let reported = false;
    redis.on('error', (err) => {
      if (!reported) app.log.warn({ err }, 'Redis rate-limit store unreachable; requests are not limited until it is back');
      reported = true;
    });
    redis.on('ready', () => {
      reported = false;
    });
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  // The general per-address limit; login and register set their own in proxy.ts.
  await app.register(rateLimit, {
    global: true,
    hook: 'onRequest',
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
    cache: 10_000,
    ...(redis ? { redis, nameSpace: 'hm:gateway:rate:', skipOnError: true } : {}),
  });

  const auth = upstreams.find((u) => u.service === 'auth');
  const verifier = deps.verifier ?? authServiceVerifier({ ...config, AUTH_URL: auth?.url ?? config.AUTH_URL }, ROLES);
  await app.register(authPlugin, { verifier });

  await app.register(proxyRoutes, {
    upstreams,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    bodyLimit: config.BODY_LIMIT_BYTES,
    authRateLimit: { max: config.AUTH_RATE_LIMIT_MAX, timeWindowMs: config.AUTH_RATE_LIMIT_WINDOW_SECONDS * 1000 },
  });

  const clients = new Map(
    upstreams.map((u) => [u.service, createHttpClient({ baseUrl: u.url, name: u.service, timeoutMs: SIDE_CALL_TIMEOUT_MS, retries: 0 })]),
  );
  app.addHook('onClose', async () => {
    await Promise.all([...clients.values()].map((c) => c.close()));
  });
  await app.register(docsRoutes, { upstreams, clients, cacheSeconds: config.DOCS_CACHE_SECONDS });
  await app.register(statusRoutes, { upstreams, clients });

  return app;
}
