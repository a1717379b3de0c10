// /docs: the merged OpenAPI 3.1 document of the whole public API at /docs/openapi.json,
// and Swagger UI over it at /docs. Each service's /openapi.json is fetched on demand and
// reused for DOCS_CACHE_SECONDS; a service that cannot be reached is left out and named in
// the document, and the next request tries it again.
import swaggerUi from '@fastify/swagger-ui';
import type { App, HttpClient } from '@healthmatch/platform';
import { isOpenApiDocument, mergeOpenApi, type ServiceDocument } from './openapi-merge.ts';
import type { Upstream } from './route-table.ts';

const FETCH_TIMEOUT_MS = 3_000;

const INFO = {
  title: 'HealthMatch API',
  version: '1.0.0',
  description:
    'The public API of HealthMatch, one document merged from every service behind the gateway. ' +
    'Protected operations need `Authorization: Bearer <access token>` (from login or refresh). ' +
    'Errors are RFC 9457 `application/problem+json` with a stable `code` and the `requestId`.',
};

export interface DocsOptions {
  upstreams: Upstream[];
  clients: Map<string, HttpClient>;
  cacheSeconds: number;
}

export class MergedDocs {
  private readonly cache = new Map<string, { doc: Record<string, unknown>; at: number }>();
  private inflight: Promise<Record<string, unknown>> | undefined;
  private merged: Record<string, unknown>;

  constructor(private readonly opts: DocsOptions) {
    this.merged = mergeOpenApi(opts.upstreams.map((u) => ({ service: u.service, error: 'not fetched yet' })), opts.upstreams, INFO);
  }

  /** The last merged document, without waiting (Swagger UI's synchronous hook). */
  current(): Record<string, unknown> {
    return this.merged;
  }

  /** Fetches what is missing or expired; concurrent callers share one round of fetches. */
  refresh(requestId?: string): Promise<Record<string, unknown>> {
    this.inflight ??= this.build(requestId).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async build(requestId?: string): Promise<Record<string, unknown>> {
    const sources = await Promise.all(this.opts.upstreams.map((u) => this.fetchOne(u, requestId)));
    this.merged = mergeOpenApi(sources, this.opts.upstreams, INFO);
    return this.merged;
  }

  private async fetchOne(u: Upstream, requestId?: string): Promise<ServiceDocument> {
    const cached = this.cache.get(u.service);
    if (cached && Date.now() - cached.at < this.opts.cacheSeconds * 1000) return { service: u.service, doc: cached.doc };
    const client = this.opts.clients.get(u.service);
    try {
      if (!client) throw new Error('no client');
      const res = await client.call('GET', '/openapi.json', { requestId, timeoutMs: FETCH_TIMEOUT_MS });
      if (res.status !== 200 || !isOpenApiDocument(res.body)) return { service: u.service, error: `answered ${res.status} without an OpenAPI document` };
      this.cache.set(u.service, { doc: res.body, at: Date.now() });
      return { service: u.service, doc: res.body };
    } catch (err) {
      return { service: u.service, error: (err as Error).message };
    }
  }
}

export async function docsRoutes(app: App, opts: DocsOptions): Promise<void> {
  const docs = new MergedDocs(opts);

  app.get('/docs/openapi.json', { schema: { hide: true } }, async (req, reply) => {
    reply.header('cache-control', 'no-cache');
    return docs.refresh(String(req.id));
  });

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    uiConfig: { deepLinking: true, persistAuthorization: false },
    uiHooks: {
      // Swagger UI loads ./json; make it the freshly merged document.
      onRequest: async (req) => {
        if (/\/docs\/(json|yaml)$/.test(req.url.split('?')[0] ?? '')) await docs.refresh(String(req.id));
      },
    },
    transformSpecificationClone: false,
    transformSpecification: () => docs.current(),
  });
}
