// createService(): the Fastify 5 instance every HealthMatch service is built on.
// It never listens (tests use inject()); see server.ts for the process entry.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { isPoolTimeout } from './db-errors.ts';
import { AppError, PlatformErrorCodes, type ErrorDef, type FieldError } from './errors.ts';
import { createMetrics, type ServiceMetrics } from './metrics.ts';
import { toFieldErrors, validatorCompiler } from './validation.ts';
import { trackRouteMethods } from './route-methods.ts';
import { loggerOptions } from './logging.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression<RawServerDefault>,
  RawReplyDefaultExpression<RawServerDefault>,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ServiceOptions {
  name: string;
  version?: string;
  description?: string;
  logLevel?: string;
  /** false silences logs (tests); a stream receives JSON lines. */
  logger?: false | { stream: NodeJS.WritableStream };
  /** This service's own error codes, merged over the platform's. */
  errorCodes?: Record<string, ErrorDef>;
  readiness?: ReadinessCheck[];
  bodyLimit?: number;
  trustProxy?: boolean | string | string[];
  /** Time a request may take to arrive completely (headers and body); default 30 s. */
  requestTimeoutMs?: number;
  /** Extra OpenAPI components (security schemes are added by the kit). */
  openapiTags?: Array<{ name: string; description?: string }>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

export function problemType(code: string): string {
  return `/problems/${code.toLowerCase().replace(/_/g, '-')}`;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [key: string]: unknown;
}

/** Maps Fastify's own client errors (body parsing, limits, media types) to stable codes. */
const fastifyCodeMap: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
};

export async function createService(opts: ServiceOptions): Promise<App> {
  const codes: Record<string, ErrorDef> = { ...PlatformErrorCodes, ...(opts.errorCodes ?? {}) };
  const metrics: ServiceMetrics = createMetrics(opts.name);

  const app = Fastify({
    logger: opts.logger === false ? false : loggerOptions(opts.name, opts.logLevel ?? 'info', opts.logger?.stream),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: opts.bodyLimit ?? 256 * 1024,
    trustProxy: opts.trustProxy ?? false,
    return503OnClosing: true,
    // A client that sends headers but never the whole body must not hold a socket for
    // ever: after this the request is answered 408 (see clientErrorHandler).
    requestTimeout: opts.requestTimeoutMs ?? 30_000,
    // Node checks that timeout only every connectionsCheckingInterval (30 s by default).
    http: {
      requestTimeout: opts.requestTimeoutMs ?? 30_000,
      connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor((opts.requestTimeoutMs ?? 30_000) / 4))),
    },
    // Errors Node's HTTP parser meets before Fastify sees a request (headers too large,
    // a malformed request line, the timeout above) answer problem+json too.
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => clientProblem(err, socket),
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    // Router failures (a malformed %-escape, an over-long parameter) happen before any hook
    // runs; without this Fastify answers them with its own non-problem JSON.
    frameworkErrors: (err, req, reply) => {
      reply.header('x-request-id', String(req.id));
      if (err.code === 'FST_ERR_BAD_URL') return sendProblem(req, reply, 'BAD_REQUEST', 'Malformed URL');
      if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return sendProblem(req, reply, 'BAD_REQUEST', 'A path parameter is too long');
      req.log.error({ err }, 'router error');
      return sendProblem(req, reply, 'INTERNAL');
    },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  app.setValidatorCompiler(validatorCompiler);
  const allowedMethods = trackRouteMethods(app);
  // The API speaks JSON only; a text/plain body is a client mistake (415), not a string.
  app.removeContentTypeParser('text/plain');
  app.decorate('errorCodes', codes);
  app.decorate('metrics', metrics);

  const sendProblem = (req: FastifyRequest, reply: FastifyReply, code: string, detail?: string, extras: Record<string, unknown> = {}) => {
    const def = codes[code] ?? PlatformErrorCodes.INTERNAL;
    const { headers, ...rest } = extras as { headers?: Record<string, string> };
    const body: ProblemBody = {
      type: problemType(code in codes ? code : 'INTERNAL'),
      title: def.title,
      status: def.status,
      ...(detail ? { detail } : {}),
      code: code in codes ? code : 'INTERNAL',
      instance: req.url.split('?')[0],
      requestId: String(req.id),
      ...rest,
    };
    if (headers) reply.headers(headers);
    return reply.code(def.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(body);
  };
  app.decorateReply('problem', function (this: FastifyReply, code: string, detail?: string, extras?: Record<string, unknown>) {
    return sendProblem(this.request, this, code, detail, extras);
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
  });
  // Graceful close: requests in flight finish, but a keep-alive client (the gateway's pool
  // honours our Keep-Alive hint for minutes) would then hold the server open until the
  // shutdown timer kills the process. Once closing, every response ends its connection.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      const def = codes[err.code];
      if (!def) req.log.error({ err }, 'unknown error code');
      else if (def.status >= 500) req.log.error({ err }, err.message);
      // A 5xx says nothing about our internals: detail and extras (e.g. the http client's
      // `cause`, which names upstream hosts) go to the log above, only headers to the client.
      const clientError = def !== undefined && def.status < 500;
      const extras = clientError ? err.extras : err.extras.headers ? { headers: err.extras.headers } : {};
      return sendProblem(req, reply, def ? err.code : 'INTERNAL', clientError ? err.detail : undefined, extras);
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const errors = toFieldErrors(fe.validation as never, fe.validationContext);
      const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
      return sendProblem(req, reply, 'VALIDATION_FAILED', detail, { errors });
    }
    if (fe.code === 'FST_ERR_RATE_LIMITED' || fe.statusCode === 429) {
      return sendProblem(req, reply, 'RATE_LIMITED', 'Too many requests, retry later');
    }
    const mapped = fe.code ? fastifyCodeMap[fe.code] : undefined;
    if (mapped) return sendProblem(req, reply, mapped, fe.message);
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      const code = fe.statusCode === 404 ? 'NOT_FOUND' : fe.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : fe.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return sendProblem(req, reply, code, fe.message);
    }
    // The database is overloaded or unreachable: a temporary condition, said as such.
    if (isPoolTimeout(err)) {
      req.log.warn({ err }, 'no database connection available');
      return sendProblem(req, reply, 'SERVICE_UNAVAILABLE', 'The service is busy; retry shortly', { headers: { 'retry-after': '1' } });
    }
    // Anything else is our fault: log it in full, answer without internals.
    req.log.error({ err }, 'unhandled error');
    return sendProblem(req, reply, 'INTERNAL', 'An unexpected error occurred; quote the request id when reporting it');
  });

  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = allowedMethods(path);
    if (allowed.length > 0 && !allowed.includes(req.method)) {
      return sendProblem(req, reply, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, { headers: { allow: allowed.join(', ') } });
    }
    return sendProblem(req, reply, 'NOT_FOUND', `No route for ${req.method} ${path}`);
  });

  await app.register(swagger, {
    // Shared schemas (app.addSchema) appear under their own $id in components, not as
    // def-0, def-1...: stable names that do not clash when the gateway merges documents.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
    openapi: {
      openapi: '3.1.0',
      info: { title: `HealthMatch ${opts.name}`, version: opts.version ?? '1.0.0', description: opts.description },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      tags: opts.openapiTags,
    },
  });

  const hidden = { schema: { hide: true } } as const;
  app.get('/healthz', hidden, async () => ({ status: 'ok', service: opts.name }));
  app.get('/readyz', hidden, async (req, reply) => {
    const results: Record<string, string> = {};
    let ready = true;
    for (const r of opts.readiness ?? []) {
      try {
        await withTimeout(r.check(), 2000);
        results[r.name] = 'ok';
      } catch (err) {
        ready = false;
        results[r.name] = 'unavailable';
        req.log.warn({ err, check: r.name }, 'readiness check failed');
      }
    }
    if (!ready) return sendProblem(req, reply, 'SERVICE_UNAVAILABLE', 'Not ready', { checks: results });
    return { status: 'ready', service: opts.name, checks: results };
  });
  app.get('/metrics', hidden, async (_req, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi.json', hidden, async () => app.swagger());

  return app;
}

const clientErrors: Record<string, { status: number; code: string; title: string; detail: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', title: 'Request timeout', detail: 'The request did not arrive completely in time' },
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', title: 'Request header fields too large', detail: 'The request headers exceed the allowed size' },
};

/** Answers a request Node's HTTP parser refused, as problem+json, then closes the socket. */
function clientProblem(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const known = err.code ? clientErrors[err.code] : undefined;
  const p = known ?? { status: 400, code: 'BAD_REQUEST', title: 'Bad request', detail: 'The request is not valid HTTP' };
  const requestId = randomUUID();
  const body = JSON.stringify({ type: problemType(p.code), title: p.title, status: p.status, detail: p.detail, code: p.code, requestId });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${p.status} ${p.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    errorCodes: Record<string, ErrorDef>;
    metrics: ServiceMetrics;
  }
  interface FastifyReply {
    problem(code: string, detail?: string, extras?: Record<string, unknown>): FastifyReply;
  }
}
