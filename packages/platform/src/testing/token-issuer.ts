// A real access-token issuer for tests: an Ed25519 key made on the spot, tokens signed by
// jose the way the auth service signs them, and verified by the kit's own verifier, over a
// local key set or over HTTP from a real JWKS server (as services do in production).
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createTokenVerifier, type TokenVerifier, type VerifierOptions } from '../auth.ts';
import { sendJson, sendProblem, startJsonServer, type JsonServer } from './json-server.ts';

export const JWKS_PATH = '/.well-known/jwks.json';

export interface TestTokenClaims {
  sub: string;
  role: string;
  [claim: string]: unknown;
}

export interface TestSignOptions {
  /** `iss`; default: the issuer's. */
  issuer?: string;
  /** `aud`; default: the issuer's. */
  audience?: string;
  /** A jose time span ('15m', '2h') or seconds from now (negative: already expired). */
  expiresIn?: string | number;
  /** Header kid; default: the issuer's own (another kid: a key the JWKS does not hold). */
  kid?: string;
}

export interface TestTokenIssuerOptions {
  /** Default 'test-key-1'. Two issuers with the same kid: a foreign key under a known kid. */
  kid?: string;
  /** Default 'healthmatch-auth' (the JWT_ISSUER default). */
  issuer?: string;
  /** Default 'healthmatch' (the JWT_AUDIENCE default). */
  audience?: string;
  /** Default '15m'. */
  expiresIn?: string | number;
}

export interface JwksServer extends JsonServer {
  /** `${url}/.well-known/jwks.json` */
  jwksUrl: string;
}

export interface TestTokenIssuer {
  kid: string;
  issuer: string;
  audience: string;
  /** The public key set, as the auth service publishes it. */
  jwks: { keys: JWK[] };
  /** An access token: `{ sub, role, ...claims }`, iat now, a fresh jti; header alg EdDSA, typ at+jwt. */
  sign(claims: TestTokenClaims, opts?: TestSignOptions): Promise<string>;
  /** The kit's verifier over this issuer's key set; issuer and audience default to the issuer's. */
  verifier(opts: Pick<VerifierOptions, 'roles'> & Partial<VerifierOptions>): TokenVerifier;
  /** A real HTTP server on 127.0.0.1:0 serving the key set at /.well-known/jwks.json (use its url as AUTH_URL). */
  serve(): Promise<JwksServer>;
}

export async function createTestTokenIssuer(options: TestTokenIssuerOptions = {}): Promise<TestTokenIssuer> {
  const kid = options.kid ?? 'test-key-1';
  const issuer = options.issuer ?? 'healthmatch-auth';
  const audience = options.audience ?? 'healthmatch';
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK] };

  return {
    kid,
    issuer,
    audience,
    jwks,
    sign({ sub, ...claims }, opts = {}) {
      const expiresIn = opts.expiresIn ?? options.expiresIn ?? '15m';
      return new SignJWT({ jti: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'EdDSA', kid: opts.kid ?? kid, typ: 'at+jwt' })
        .setSubject(sub)
        .setIssuer(opts.issuer ?? issuer)
        .setAudience(opts.audience ?? audience)
        .setIssuedAt()
        .setExpirationTime(typeof expiresIn === 'number' ? Math.floor(Date.now() / 1000) + expiresIn : expiresIn)
        .sign(privateKey);
    },
    verifier: (opts) => createTokenVerifier(createLocalJWKSet(jwks), { issuer, audience, ...opts }),
    async serve() {
      const server = await startJsonServer((req, res) =>
        req.method === 'GET' && req.path === JWKS_PATH ? sendJson(res, 200, jwks) : sendProblem(res, 404, 'NOT_FOUND'),
      );
      return { ...server, jwksUrl: `${server.url}${JWKS_PATH}` };
    },
  };
}

/** The Authorization header for a token. */
export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
