// Merges the services' OpenAPI documents into the one document of the public API.
// Only /api/v1/... paths the gateway routes to that service are kept; components of the
// same name and content are shared, a clash (every service's Fastify names its shared
// schemas def-0, def-1, ...) renames the later one `<service>.<name>` and rewrites its $refs.
import { isDeepStrictEqual } from 'node:util';
import { ownerOf, type Upstream } from './route-table.ts';

type Json = Record<string, unknown>;

export interface ServiceDocument {
  service: string;
  /** The service's /openapi.json, or undefined when it could not be fetched. */
  doc?: Json;
  /** Why it is missing. */
  error?: string;
}

export interface MergeInfo {
  title: string;
  version: string;
  description: string;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A document we can merge: an object with a paths object. */
export function isOpenApiDocument(v: unknown): v is Json {
  return isObject(v) && isObject(v.paths);
}

/** A deep copy with renamed $refs (a copy also when nothing is renamed: the cached source stays as fetched). */
function rewriteRefs(node: unknown, renames: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, renames));
  if (!isObject(node)) return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === '$ref' && typeof v === 'string' && renames.has(v) ? renames.get(v) : rewriteRefs(v, renames);
  }
  return out;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

export function mergeOpenApi(sources: readonly ServiceDocument[], upstreams: readonly Upstream[], info: MergeInfo): Json {
  const components: Record<string, Json> = {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  };
  const paths: Json = {};
  const tags = new Map<string, Json>();
  const operationIds = new Set<string>();
  const status: Record<string, string> = {};

  for (const source of sources) {
    const { doc, service } = source;
    if (!doc || !isOpenApiDocument(doc)) {
      status[service] = 'unavailable';
      continue;
    }
    status[service] = 'ok';

    // Decide names first, then rewrite the whole document's references in one pass.
    const renames = new Map<string, string>();
    const sourceComponents = isObject(doc.components) ? doc.components : {};
    for (const [kind, entries] of Object.entries(sourceComponents)) {
      if (!isObject(entries)) continue;
      const merged = (components[kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        if (merged[name] === undefined || isDeepStrictEqual(merged[name], value)) continue;
        renames.set(`#/components/${kind}/${name}`, `#/components/${kind}/${service}.${name}`);
      }
    }
    const rewritten = rewriteRefs({ components: sourceComponents, paths: doc.paths }, renames) as { components: Json; paths: Json };

    for (const [kind, entries] of Object.entries(rewritten.components)) {
      if (!isObject(entries)) continue;
      const merged = (components[kind] ??= {});
      for (const [name, value] of Object.entries(entries)) {
        const target = renames.has(`#/components/${kind}/${name}`) ? `${service}.${name}` : name;
        merged[target] ??= value;
      }
    }

    for (const [path, item] of Object.entries(rewritten.paths)) {
      if (!path.startsWith('/api/v1/') || ownerOf(path, upstreams)?.service !== service || !isObject(item)) continue;
      for (const [method, op] of Object.entries(item)) {
        if (!HTTP_METHODS.has(method) || !isObject(op) || typeof op.operationId !== 'string') continue;
        const id = operationIds.has(op.operationId) ? `${service}.${op.operationId}` : op.operationId;
        op.operationId = id;
        operationIds.add(id);
      }
      paths[path] = item;
    }

    for (const tag of Array.isArray(doc.tags) ? doc.tags : []) {
      if (isObject(tag) && typeof tag.name === 'string' && !tags.has(tag.name)) tags.set(tag.name, tag);
    }
  }

  const missing = sources.filter((s) => status[s.service] !== 'ok').map((s) => s.service);
  const note = missing.length
    ? `\n\n**Incomplete:** the parts of ${missing.join(', ')} are missing because ${missing.length === 1 ? 'that service' : 'those services'} could not be reached; reload to try again.`
    : '';
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: `${info.description}${note}` },
    ...(tags.size ? { tags: [...tags.values()] } : {}),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components,
    'x-healthmatch-services': status,
  };
}
