import { exportJWK, generateKeyPair, SignJWT, createLocalJWKSet, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTokenVerifier, remoteJwks } from './auth.ts';
import { freePort } from './embedded-postgres.ts';

const issuer = 'healthmatch-auth';
const audience = 'healthmatch';

async function keyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK;
  return { privateKey, jwk };
}

function sign(privateKey: CryptoKey, kid: string, claims: Record<string, unknown> = {}, opts: { exp?: string | number; aud?: string; iss?: string } = {}) {
  return new SignJWT({ role: 'patient', ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid })
    .setSubject('0190b6c2-0000-7000-8000-000000000001')
    .setIssuer(opts.iss ?? issuer)
    .setAudience(opts.aud ?? audience)
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '15m')
    .sign(privateKey);
}

describe('token verifier', async () => {
  const good = await keyPair('k1');
  const other = await keyPair('k2');
  const verifier = createTokenVerifier(createLocalJWKSet({ keys: [good.jwk] }), { issuer, audience, roles: ['patient', 'provider', 'admin'] });

  it('accepts a valid token and exposes subject and role', async () => {
    const p = await verifier.verify(await sign(good.privateKey, 'k1'));
    expect(p).toEqual({ id: '0190b6c2-0000-7000-8000-000000000001', role: 'patient' });
  });

  it('rejects an expired token', async () => {
    const t = await sign(good.privateKey, 'k1', {}, { exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', detail: 'Access token expired' });
  });

  it('rejects a token signed by another key, even under a known kid', async () => {
    await expect(verifier.verify(await sign(other.privateKey, 'k1'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await sign(other.privateKey, 'k2'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const t = `${enc({ alg: 'none', kid: 'k1' })}.${enc({ sub: 'x', role: 'admin', iss: issuer, aud: audience, iat: now, exp: now + 600 })}.`;
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects a wrong audience or issuer', async () => {
    await expect(verifier.verify(await sign(good.privateKey, 'k1', {}, { aud: 'someone-else' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await sign(good.privateKey, 'k1', {}, { iss: 'evil' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects an unknown role', async () => {
    await expect(verifier.verify(await sign(good.privateKey, 'k1', { role: 'root' }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      extras: { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
    });
  });
});

describe('remote JWKS', async () => {
  const good = await keyPair('k1');
  const roles = ['patient', 'provider', 'admin'];

  it('keeps verifying with the last key set while the auth service is unreachable', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [good.jwk] })));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    // cacheMaxAge 0: every verification would refetch, so the outage is hit at once
    const verifier = createTokenVerifier(remoteJwks(url, { cacheMaxAge: 0 }), { issuer, audience, roles });
    const token = await sign(good.privateKey, 'k1');
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'patient' });
    await new Promise<void>((r) => server.close(() => r()));
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'patient' });
    await expect(verifier.verify(await sign(good.privateKey, 'unknown-kid'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers 503, not 401, when no key set could ever be fetched', async () => {
    const verifier = createTokenVerifier(remoteJwks(`http://127.0.0.1:${await freePort()}/.well-known/jwks.json`), { issuer, audience, roles });
    await expect(verifier.verify(await sign(good.privateKey, 'k1'))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // a malformed token is still the caller's fault
    await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
