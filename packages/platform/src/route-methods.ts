// Which methods a path answers to, so that a known path asked with the wrong method gets
// 405 with an Allow header instead of a 404 that suggests the resource does not exist.
// Fastify's router matches a method first, so the table is kept from the onRoute hook.
import type { FastifyInstance, RouteOptions } from 'fastify';

interface RouteEntry {
  pattern: RegExp;
  methods: Set<string>;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A Fastify route path (`/a/:id`, `/docs/*`, `/a/::literal`) as a regular expression. */
export function routePattern(url: string): RegExp {
  let source = '';
  for (let i = 0; i < url.length; ) {
    const ch = url[i]!;
    if (ch === ':' && url[i + 1] === ':') {
      source += ':';
      i += 2;
    } else if (ch === ':') {
      const name = /^:[A-Za-z0-9_$]*/.exec(url.slice(i))![0];
      i += name.length;
      if (url[i] === '(') {
        // A parameter with its own regular expression: `:id(^\\d+)`.
        let depth = 0;
        let j = i;
        for (; j < url.length; j++) {
          if (url[j] === '(') depth++;
          else if (url[j] === ')' && --depth === 0) break;
        }
        source += `(?:${url.slice(i + 1, j).replace(/^\^/, '').replace(/\$$/, '')})`;
        i = j + 1;
      } else {
        source += '[^/]+';
      }
    } else if (ch === '*') {
      source += '.*';
      i += 1;
    } else {
      source += escape(ch);
      i += 1;
    }
  }
  // The kit's router ignores a trailing slash.
  return new RegExp(`^${source.replace(/\/$/, '')}/?$`);
}

/** Records every route's methods; returns a lookup of the methods a concrete path allows. */
export function trackRouteMethods(app: FastifyInstance): (path: string) => string[] {
  const routes = new Map<string, RouteEntry>();
  app.addHook('onRoute', (route: RouteOptions) => {
    const entry = routes.get(route.url) ?? { pattern: routePattern(route.url), methods: new Set<string>() };
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) entry.methods.add(method.toUpperCase());
    routes.set(route.url, entry);
  });
  return (path: string) => {
    const allowed = new Set<string>();
    for (const entry of routes.values()) {
      if (entry.pattern.test(path)) for (const method of entry.methods) allowed.add(method);
    }
    return [...allowed].sort();
  };
}
