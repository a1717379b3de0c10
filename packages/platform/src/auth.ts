// Access-token checks: every service verifies tokens itself against the auth service's
// JWKS (cached; refetched when an unknown kid shows up), and checks roles.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { AppError } from './errors.ts';

export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'];

export interface Principal {
  id: string;
  role: string;
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** Roles a token may carry; anything else is rejected. */
  roles: readonly string[];
}

// RFC 6750: every 401 carries a challenge.
const INVALID_TOKEN_CHALLENGE = { 'www-authenticate': 'Bearer error="invalid_token"' };

export function createTokenVerifier(keys: JWTVerifyGetKey, opts: VerifierOptions): TokenVerifier {
  return {
    async verify(token: string): Promise<Principal> {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: ACCESS_TOKEN_ALGORITHMS,
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        const role = payload.role;
        if (typeof payload.sub !== 'string' || typeof role !== 'string' || !opts.roles.includes(role)) {
          throw new AppError('UNAUTHENTICATED', 'Access token has no valid subject or role', { headers: INVALID_TOKEN_CHALLENGE });
        }
        if (payload.typ !== undefined && payload.typ !== 'access') throw new AppError('UNAUTHENTICATED', 'Not an access token', { headers: INVALID_TOKEN_CHALLENGE });
        return { id: payload.sub, role };
      } catch (err) {
        if (err instanceof AppError) throw err;
        const expired = err instanceof joseErrors.JWTExpired;
        throw new AppError('UNAUTHENTICATED', expired ? 'Access token expired' : 'Access token invalid', {
          headers: { 'www-authenticate': `Bearer error="invalid_token"${expired ? ', error_description="expired"' : ''}` },
        });
      }
    },
  };
}

export interface RemoteJwksOptions {
  /** Passed to jose's createRemoteJWKSet (tests use short values). */
  cacheMaxAge?: number;
  timeoutDuration?: number;
  /**
   * A token with an unknown kid makes the key set be fetched again, at most once per this
   * many ms (a new key after a rotation is seen within it; garbage kids cannot make us
   * hammer auth). Default 5 s.
   */
  cooldownDuration?: number;
  /** After a failed fetch, how long to use the last key set without trying again. */
  retryAfterFailureMs?: number;
}

/** The key set could not be fetched (auth down, slow, or answering garbage), as opposed to a bad token. */
function isKeySourceFailure(err: unknown): boolean {
  if (!(err instanceof joseErrors.JOSEError)) return true; // fetch() network errors
  return err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || err.code === 'ERR_JOSE_GENERIC';
}

/** The settings every service reads to check tokens of the auth service. */
export interface AuthServiceSettings {
  AUTH_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}

/** A verifier of the auth service's access tokens: its JWKS at `<AUTH_URL>/.well-known/jwks.json`. */
export function authServiceVerifier(settings: AuthServiceSettings, roles: readonly string[], opts: RemoteJwksOptions = {}): TokenVerifier {
  const jwksUrl = `${settings.AUTH_URL.replace(/\/+$/, '')}/.well-known/jwks.json`;
  return createTokenVerifier(remoteJwks(jwksUrl, opts), { issuer: settings.JWT_ISSUER, audience: settings.JWT_AUDIENCE, roles });
}

/**
 * The auth service's JWKS, cached. When it cannot be fetched, tokens keep verifying against
 * the last key set fetched (no new key can be issued while auth is unreachable), and with no
 * key set at all the answer is 503, not a 401 that would make clients drop their session.
 */
export function remoteJwks(jwksUrl: string, opts: RemoteJwksOptions = {}): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(jwksUrl), {
    cacheMaxAge: opts.cacheMaxAge ?? 10 * 60_000,
    cooldownDuration: opts.cooldownDuration ?? 5_000,
    timeoutDuration: opts.timeoutDuration ?? 5_000,
  });
  const retryAfterFailureMs = opts.retryAfterFailureMs ?? 30_000;
  let failedAt = Number.NEGATIVE_INFINITY;
  const lastKnown = () => {
    const jwks = remote.jwks();
    return jwks ? createLocalJWKSet(jwks) : undefined;
  };
  return async (header, token) => {
    const stale = Date.now() - failedAt < retryAfterFailureMs ? lastKnown() : undefined;
    if (stale) return stale(header, token);
    try {
      return await remote(header, token);
    } catch (err) {
      if (!isKeySourceFailure(err)) throw err;
      failedAt = Date.now();
      const last = lastKnown();
      if (last) return last(header, token);
      throw new AppError('SERVICE_UNAVAILABLE', 'Token signing keys are unavailable; retry later', { headers: { 'retry-after': '5' } });
    }
  };
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(h.trim());
  return m?.[1];
}

export const authPlugin = fp(
  async (app, opts: { verifier: TokenVerifier }) => {
    app.decorateRequest('principal', null);
    app.decorate('verifier', opts.verifier);
    app.decorate('requireAuth', (...roles: string[]) => {
      return async (req: FastifyRequest, _reply: FastifyReply) => {
        const token = bearerToken(req);
        if (!token) {
          throw new AppError('UNAUTHENTICATED', 'Missing bearer token', { headers: { 'www-authenticate': 'Bearer' } });
        }
        const principal = await opts.verifier.verify(token);
        if (roles.length > 0 && !roles.includes(principal.role)) {
          throw new AppError('FORBIDDEN', `This action needs the role ${roles.join(' or ')}`);
        }
        req.principal = principal;
      };
    });
  },
  { name: 'healthmatch-auth', fastify: '5.x' },
);

/** The caller, for handlers behind requireAuth(). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('UNAUTHENTICATED', 'Authentication required');
  return req.principal;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    verifier: TokenVerifier;
    requireAuth(...roles: string[]): (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}
