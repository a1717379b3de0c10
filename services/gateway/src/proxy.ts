// Forwards /api/v1/<area>/* to the owning service over undici: path and query unchanged,
// body byte for byte, x-request-id and x-forwarded-* set, hop-by-hop headers dropped both
// ways. A service that is down answers 502, one too slow 504, always as problem+json.
import { AppError, type App } from '@healthmatch/platform';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { Agent, request, type Dispatcher } from 'undici';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.ts';
import { EXTRA_ROUTES, isPublic, type Upstream } from './route-table.ts';

export interface ProxyOptions {
  upstreams: Upstream[];
  timeoutMs: number;
  connectTimeoutMs: number;
  bodyLimit: number;
  /** Applies to login and register, each counted per client address. */
  authRateLimit: { max: number; timeWindowMs: number };
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const RATE_LIMITED_AUTH_PATHS = ['/api/v1/auth/login', '/api/v1/auth/register'];

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
// A kept-alive socket the service closed just as we reused it: safe to try once more for GET/HEAD.
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

const errorCode = (err: unknown): string => String((err as { code?: unknown })?.code ?? (err as Error)?.name ?? 'unknown');

export const pathOf = (rawUrl: string | undefined): string => {
  const url = rawUrl ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
};

export async function proxyRoutes(app: App, opts: ProxyOptions): Promise<void> {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 256, connect: { timeout: opts.connectTimeoutMs } });
  app.addHook('onClose', async () => {
    await agent.close();
  });

  // Bodies pass through untouched (a webhook signature covers the raw bytes); only their size
  // is checked here, and the content type is the service's business.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_req, body, done) => done(null, body));

  // preParsing: after the rate limit (onRequest), before a body is read for a caller without a token.
  // The services check the token again; this only keeps anonymous traffic off protected routes.
  const requireToken = app.requireAuth();
  const edgeAuth = async (req: FastifyRequest, reply: FastifyReply, payload: NodeJS.ReadableStream) => {
    if (!isPublic(req.method, pathOf(req.raw.url))) await requireToken(req, reply);
    return payload;
  };

  const send = (upstream: Upstream, req: FastifyRequest, signal: AbortSignal): Promise<Dispatcher.ResponseData> =>
    request(`${upstream.url}${req.raw.url ?? '/'}`, {
      method: req.method as Dispatcher.HttpMethod,
      headers: upstreamRequestHeaders(req.headers, { requestId: String(req.id), clientIp: req.ip, protocol: req.protocol, host: req.host }),
      body: Buffer.isBuffer(req.body) ? req.body : undefined,
      dispatcher: agent,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      signal,
    });

  const forward = (upstream: Upstream) => async (req: FastifyRequest, reply: FastifyReply) => {
    const abort = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let res: Dispatcher.ResponseData;
    try {
      try {
        res = await send(upstream, req, abort.signal);
      } catch (err) {
        if (!((req.method === 'GET' || req.method === 'HEAD') && STALE_SOCKET_CODES.has(errorCode(err)))) throw err;
        res = await send(upstream, req, abort.signal);
      }
    } catch (err) {
      const code = errorCode(err);
      const timedOut = TIMEOUT_CODES.has(code);
      // `upstream`, not `service`: the log lines already carry service=gateway.
      if (abort.signal.aborted) req.log.info({ upstream: upstream.service }, 'client went away before the service answered');
      else req.log.warn({ upstream: upstream.service, code }, timedOut ? 'service timed out' : 'service unavailable');
      // A 5xx problem carries no detail or extras to the client (kit policy); `service` reaches the log.
      throw new AppError(
        timedOut ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY',
        timedOut ? `The ${upstream.service} service did not answer in time` : `The ${upstream.service} service is unavailable`,
        { service: upstream.service },
      );
    }

    const status = res.statusCode;
    const contentType = String(res.headers['content-type'] ?? '');
    // Our services answer errors as problem+json; anything else at 5xx (a crash page, Fastify's
    // own 503 while closing) becomes a problem here, so clients never see HTML or a stray shape.
    if (status < 200 || status > 599 || (status >= 500 && !/^application\/problem\+json/i.test(contentType))) {
      await res.body.dump().catch(() => undefined);
      req.log.warn({ upstream: upstream.service, status, contentType }, 'service answered an error without a problem document');
      throw new AppError(status === 503 ? 'SERVICE_UNAVAILABLE' : 'BAD_GATEWAY', `The ${upstream.service} service failed to answer`, { service: upstream.service });
    }

    reply.code(status).headers(clientResponseHeaders(res.headers));
    if (req.method === 'HEAD' || status === 204 || status === 304) {
      await res.body.dump().catch(() => undefined);
      return reply.send();
    }
    return reply.send(res.body);
  };

  const route = (url: string, upstream: Upstream, methods: string[], extra: Partial<RouteOptions> = {}) =>
    app.route({
      method: methods,
      url,
      exposeHeadRoutes: false,
      schema: { hide: true },
      preParsing: [edgeAuth],
      handler: forward(upstream),
      ...extra,
    } as RouteOptions);

  const byService = new Map(opts.upstreams.map((u) => [u.service, u]));
  for (const upstream of opts.upstreams) {
    for (const prefix of upstream.prefixes) {
      route(prefix, upstream, METHODS);
      route(`${prefix}/*`, upstream, METHODS);
    }
  }
  // Their own routes, so they get their own, tighter per-address counters.
  const auth = byService.get('auth');
  if (auth) {
    const rateLimit = { max: opts.authRateLimit.max, timeWindow: opts.authRateLimit.timeWindowMs };
    for (const path of RATE_LIMITED_AUTH_PATHS) route(path, auth, ['POST'], { config: { rateLimit } });
  }
  for (const extra of EXTRA_ROUTES) {
    const upstream = byService.get(extra.service);
    if (upstream) route(extra.path, upstream, [extra.method, 'HEAD']);
  }
}
