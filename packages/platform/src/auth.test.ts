import { createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { createTokenVerifier, remoteJwks } from './auth.ts';
import { freePort } from './embedded-postgres.ts';
import { createTestTokenIssuer, type TestSignOptions, type TestTokenIssuer } from './testing/index.ts';

const issuer = 'healthmatch-auth';
const audience = 'healthmatch';

const keyPair = (kid: string) => createTestTokenIssuer({ kid, issuer, audience });

function sign(key: TestTokenIssuer, kid: string, claims: Record<string, unknown> = {}, opts: TestSignOptions = {}) {
  return key.sign({ sub: '0190b6c2-0000-7000-8000-000000000001', role: 'patient', ...claims }, { kid, ...opts });
}

describe('token verifier', async () => {
  const good = await keyPair('k1');
  const other = await keyPair('k2');
  const verifier = createTokenVerifier(createLocalJWKSet(good.jwks), { issuer, audience, roles: ['patient', 'provider', 'admin'] });

  it('accepts a valid token and exposes subject and role', async () => {
    const p = await verifier.verify(await sign(good, 'k1'));
    expect(p).toEqual({ id: '0190b6c2-0000-7000-8000-000000000001', role: 'patient' });
  });

  it('rejects an expired token', async () => {
    const t = await sign(good, 'k1', {}, { expiresIn: -60 });
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', detail: 'Access token expired' });
  });

  it('rejects a token signed by another key, even under a known kid', async () => {
    await expect(verifier.verify(await sign(other, 'k1'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await sign(other, 'k2'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects alg none', async () => {
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const t = `${enc({ alg: 'none', kid: 'k1' })}.${enc({ sub: 'x', role: 'admin', iss: issuer, aud: audience, iat: now, exp: now + 600 })}.`;
    await expect(verifier.verify(t)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects a wrong audience or issuer', async () => {
    await expect(verifier.verify(await sign(good, 'k1', {}, { audience: 'someone-else' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(await sign(good, 'k1', {}, { issuer: 'evil' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects an unknown role', async () => {
    await expect(verifier.verify(await sign(good, 'k1', { role: 'root' }))).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      extras: { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } },
    });
  });
});

describe('remote JWKS', async () => {
  const good = await keyPair('k1');
  const roles = ['patient', 'provider', 'admin'];

  it('keeps verifying with the last key set while the auth service is unreachable', async () => {
    const server = await good.serve();
    // cacheMaxAge 0: every verification would refetch, so the outage is hit at once
    const verifier = createTokenVerifier(remoteJwks(server.jwksUrl, { cacheMaxAge: 0 }), { issuer, audience, roles });
    const token = await sign(good, 'k1');
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'patient' });
    await server.close();
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'patient' });
    await expect(verifier.verify(await sign(good, 'unknown-kid'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('answers 503, not 401, when no key set could ever be fetched', async () => {
    const verifier = createTokenVerifier(remoteJwks(`http://127.0.0.1:${await freePort()}/.well-known/jwks.json`), { issuer, audience, roles });
    await expect(verifier.verify(await sign(good, 'k1'))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    // a malformed token is still the caller's fault
    await expect(verifier.verify('not.a.token')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('remote key set', () => {
  it('fetches the key set again when a token names a kid it does not know (key rotation)', async () => {
    const { startJsonServer, sendJson } = await import('./testing/index.ts');
    const first = await keyPair('rot-1');
    const second = await keyPair('rot-2');
    const published = { keys: [...first.jwks.keys] };
    let fetches = 0;
    const server = await startJsonServer((_req, res) => {
      fetches++;
      sendJson(res, 200, published);
    });
    try {
      const verifier = createTokenVerifier(remoteJwks(`${server.url}/.well-known/jwks.json`, { cooldownDuration: 0 }), { issuer, audience, roles: ['patient'] });
      await expect(verifier.verify(await sign(first, 'rot-1'))).resolves.toMatchObject({ role: 'patient' });
      await expect(verifier.verify(await sign(first, 'rot-1'))).resolves.toMatchObject({ role: 'patient' });
      expect(fetches).toBe(1); // cached
      // auth rotates: the new key is published next to the old one
      published.keys.push(...second.jwks.keys);
      await expect(verifier.verify(await sign(second, 'rot-2'))).resolves.toMatchObject({ role: 'patient' });
      expect(fetches).toBe(2);
      // a kid nobody published is still refused after the refetch
      const stranger = await keyPair('rot-3');
      await expect(verifier.verify(await sign(stranger, 'rot-3'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      await server.close();
    }
  });
});
