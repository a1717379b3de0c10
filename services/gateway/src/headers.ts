// Header rewriting for both directions of the proxy (RFC 9110 section 7.6.1): hop-by-hop
// headers and those a Connection header names belong to one connection, never forwarded.
import type { IncomingHttpHeaders } from 'node:http';

type HeaderValue = string | string[] | undefined;
export type Headers = Record<string, HeaderValue>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);

function connectionTokens(value: HeaderValue): Set<string> {
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(list.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean));
}

/** Drops hop-by-hop headers, `Proxy-*` and whatever the Connection header names. */
export function withoutHopByHop(headers: Headers): Headers {
  const named = connectionTokens(headers.connection);
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) {
    const n = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(n) || n.startsWith('proxy-') || named.has(n)) continue;
    out[n] = value;
  }
  return out;
}

// Set by the gateway itself, or meaningless once the request is re-sent: a client must not choose them.
const REQUEST_DROP = new Set(['host', 'content-length', 'expect', 'forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip', 'x-request-id']);

export interface ForwardedFor {
  requestId: string;
  /** The client as the gateway resolved it (TRUST_PROXY decides whose X-Forwarded-For is believed). */
  clientIp: string;
  protocol: string;
  host: string | undefined;
}

/**
 * Headers for the upstream request. X-Forwarded-For carries one address, the client as the
 * gateway resolved it, so a service that trusts the gateway reads it without guessing hops.
 */
export function upstreamRequestHeaders(incoming: IncomingHttpHeaders, fwd: ForwardedFor): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(withoutHopByHop(incoming))) {
    if (value !== undefined && !REQUEST_DROP.has(name)) out[name] = value;
  }
  out['x-request-id'] = fwd.requestId;
  out['x-forwarded-for'] = fwd.clientIp;
  out['x-forwarded-proto'] = fwd.protocol;
  if (fwd.host) out['x-forwarded-host'] = fwd.host;
  return out;
}

// The gateway owns CORS and the request id on the way out.
const RESPONSE_DROP = new Set(['x-request-id', 'server', 'x-powered-by']);

export function clientResponseHeaders(upstream: Headers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(withoutHopByHop(upstream))) {
    if (value === undefined || RESPONSE_DROP.has(name) || name.startsWith('access-control-')) continue;
    out[name] = value;
  }
  return out;
}
