// Tests only: an Ed25519 signing key whose JWKS a real HTTP server on 127.0.0.1 serves, so the
// service under test verifies tokens exactly as in production (remoteJwks over HTTP).
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenIssuer {
  /** Base URL to use as AUTH_URL (JWKS at /.well-known/jwks.json). */
  authUrl: string;
  issuer: string;
  audience: string;
  sign(sub: string, role: string, opts?: { exp?: string | number; iss?: string; aud?: string; typ?: string }): Promise<string>;
  /** A token signed by a key that the JWKS does not publish. */
  signWithForeignKey(sub: string, role: string): Promise<string>;
  close(): Promise<void>;
}

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { privateKey, jwk };
}

export async function startTokenIssuer(issuer = 'healthmatch-auth', audience = 'healthmatch'): Promise<TokenIssuer> {
  const published = await keyPair('test-k1');
  const foreign = await keyPair('test-k1');
  const jwks = JSON.stringify({ keys: [published.jwk] });
  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const signWith = (key: CryptoKey, sub: string, role: string, opts: { exp?: string | number; iss?: string; aud?: string; typ?: string } = {}) =>
    new SignJWT({ role, ...(opts.typ ? { typ: opts.typ } : {}) })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'test-k1' })
      .setSubject(sub)
      .setIssuer(opts.iss ?? issuer)
      .setAudience(opts.aud ?? audience)
      .setIssuedAt()
      .setExpirationTime(opts.exp ?? '5m')
      .sign(key);

  return {
    authUrl: `http://127.0.0.1:${port}`,
    issuer,
    audience,
    sign: (sub, role, opts) => signWith(published.privateKey, sub, role, opts),
    signWithForeignKey: (sub, role) => signWith(foreign.privateKey, sub, role),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
