// CORS for browser clients on other origins (CORS_ORIGINS). Tokens travel in the
// Authorization header, not cookies, so credentials are never allowed.
import type { App } from '@healthmatch/platform';
import type { FastifyReply } from 'fastify';

const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'accept-language', 'idempotency-key', 'x-request-id'];
const EXPOSED_HEADERS = ['x-request-id', 'location', 'retry-after', 'www-authenticate', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
const PREFLIGHT_MAX_AGE_SECONDS = 600;

function addVary(reply: FastifyReply, ...names: string[]) {
  const current = reply.getHeader('vary');
  const list = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((v) => v.trim()).filter(Boolean);
  if (list.includes('*')) return;
  for (const n of names) if (!list.some((v) => v.toLowerCase() === n.toLowerCase())) list.push(n);
  reply.header('vary', list.join(', '));
}

export function registerCors(app: App, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins);
  const allowOrigin = (origin: string): string | undefined => (anyOrigin ? '*' : allowed.has(origin) ? origin : undefined);

  // A preflight is answered here: never forwarded, never asked for a token.
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    const requested = req.headers['access-control-request-method'];
    if (req.method !== 'OPTIONS' || typeof origin !== 'string' || typeof requested !== 'string') return;
    addVary(reply, 'Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers');
    const value = allowOrigin(origin);
    if (value && ALLOWED_METHODS.includes(requested.toUpperCase())) {
      reply
        .header('access-control-allow-origin', value)
        .header('access-control-allow-methods', ALLOWED_METHODS.join(', '))
        .header('access-control-allow-headers', ALLOWED_HEADERS.join(', '))
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS));
    }
    // Without the allow headers the browser refuses the request; nothing more to say.
    return reply.code(204).send();
  });

  // Every other answer, errors included, so a script can read a 401 or 429 and its request id.
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.hasHeader('access-control-max-age')) return payload;
    addVary(reply, 'Origin');
    const origin = req.headers.origin;
    const value = typeof origin === 'string' ? allowOrigin(origin) : undefined;
    if (value) {
      reply.header('access-control-allow-origin', value).header('access-control-expose-headers', EXPOSED_HEADERS.join(', '));
    }
    return payload;
  });
}
