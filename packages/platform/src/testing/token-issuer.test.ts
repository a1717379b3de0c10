import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, remoteJwks } from '../auth.ts';
import { bearer, createTestTokenIssuer } from './token-issuer.ts';

const roles = ['patient', 'provider', 'admin'];
const sub = '0190b6c2-0000-7000-8000-000000000001';

describe('test token issuer', () => {
  it('signs real EdDSA access tokens that its verifier accepts', async () => {
    const issuer = await createTestTokenIssuer();
    const token = await issuer.sign({ sub, role: 'provider' });
    expect(await issuer.verifier({ roles }).verify(token)).toEqual({ id: sub, role: 'provider' });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'test-key-1', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ sub, role: 'provider', iss: 'healthmatch-auth', aud: 'healthmatch', jti: expect.any(String) });
    expect(claims.exp! - claims.iat!).toBe(15 * 60);
    expect(issuer.jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: 'test-key-1', alg: 'EdDSA', use: 'sig' })]);
    expect(issuer.jwks.keys[0]).not.toHaveProperty('d');
  });

  it('takes issuer, audience, kid and lifetime from its options, each overridable per token', async () => {
    const issuer = await createTestTokenIssuer({ kid: 'k9', issuer: 'test-issuer', audience: 'test-audience', expiresIn: '5m' });
    const claims = decodeJwt(await issuer.sign({ sub, role: 'patient', extra: 1 }));
    expect(claims).toMatchObject({ iss: 'test-issuer', aud: 'test-audience', extra: 1 });
    expect(claims.exp! - claims.iat!).toBe(5 * 60);
    const other = await issuer.sign({ sub, role: 'patient' }, { issuer: 'evil', audience: 'elsewhere', kid: 'k0', expiresIn: 60 });
    expect(decodeJwt(other)).toMatchObject({ iss: 'evil', aud: 'elsewhere' });
    expect(decodeProtectedHeader(other).kid).toBe('k0');
  });

  it('is refused where it must be: expired, other audience, unknown kid, another key under the same kid', async () => {
    const issuer = await createTestTokenIssuer();
    const foreign = await createTestTokenIssuer({ kid: issuer.kid });
    const verifier = issuer.verifier({ roles });
    await expect(verifier.verify(await issuer.sign({ sub, role: 'patient' }, { expiresIn: -60 }))).rejects.toMatchObject({ detail: 'Access token expired' });
    await expect(verifier.verify(await issuer.sign({ sub, role: 'patient' }, { audience: 'elsewhere' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await issuer.sign({ sub, role: 'patient' }, { kid: 'unknown' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await foreign.sign({ sub, role: 'patient' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(issuer.verifier({ roles: ['admin'] }).verify(await issuer.sign({ sub, role: 'patient' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('serves its key set over HTTP for remoteJwks', async () => {
    const issuer = await createTestTokenIssuer();
    const server = await issuer.serve();
    try {
      expect(server.jwksUrl).toBe(`${server.url}/.well-known/jwks.json`);
      const res = await fetch(server.jwksUrl);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(issuer.jwks);
      expect((await fetch(`${server.url}/other`)).status).toBe(404);
      const verifier = createTokenVerifier(remoteJwks(server.jwksUrl), { issuer: issuer.issuer, audience: issuer.audience, roles });
      expect(await verifier.verify(await issuer.sign({ sub, role: 'admin' }))).toEqual({ id: sub, role: 'admin' });
    } finally {
      await server.close();
    }
  });

  it('builds the bearer header', () => {
    expect(bearer('abc')).toEqual({ authorization: 'Bearer abc' });
  });
});
