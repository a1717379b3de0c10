// Access tokens: short-lived JWTs signed with the key ring's active key. Claims: sub (user
// id), role, iss, aud, iat, exp, jti; header alg, kid, typ at+jwt (RFC 9068).
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from './key-ring.ts';

export interface AccessTokenOptions {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
}

export class AccessTokenIssuer {
  constructor(private readonly opts: AccessTokenOptions) {}

  async issue(subject: { id: string; role: string }): Promise<IssuedAccessToken> {
    const key = await this.opts.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: subject.role })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setSubject(subject.id)
      .setIssuer(this.opts.issuer)
      .setAudience(this.opts.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + this.opts.ttlSeconds)
      .setJti(randomUUID())
      .sign(key.key);
    return { token, expiresIn: this.opts.ttlSeconds };
  }
}
