// The auth use cases: register, login, refresh (rotation with reuse detection), logout.
import type { AuthSession, AuthUser, LoginInput, RegisterInput } from '@healthmatch/contracts';
import { AppError } from '@healthmatch/platform/errors';
import { uuidv7 } from 'uuidv7';
import type { AccessTokenIssuer } from './access-tokens.ts';
import { normaliseEmail } from './email.ts';
import type { PasswordHasher } from './passwords.ts';
import type { AuthStore, Credential, ProfileDirectory, Repositories, ThrottlePolicy } from './ports.ts';
import { hashRefreshToken, newRefreshToken } from './refresh-tokens.ts';

export interface AuthServiceOptions {
  store: AuthStore;
  hasher: PasswordHasher;
  accessTokens: AccessTokenIssuer;
  profiles: ProfileDirectory;
  refreshTokenTtlSeconds: number;
  throttle: ThrottlePolicy;
}

export interface RequestContext {
  requestId?: string;
}

type RefreshOutcome = { kind: 'ok'; user: Credential; refreshToken: string } | { kind: 'invalid' } | { kind: 'reused' };

const invalidCredentials = () => new AppError('AUTH_INVALID_CREDENTIALS', 'E-mail or password is wrong');
const invalidRefresh = () => new AppError('AUTH_REFRESH_INVALID', 'Refresh token is invalid, expired or revoked; log in again');

export class AuthService {
  constructor(private readonly opts: AuthServiceOptions) {}

  /**
   * Creates the account and its profile in the users service as one step: the credential
   * is inserted in a transaction that commits only after users stored the profile, so a
   * failure there leaves no account behind. A concurrent registration of the same e-mail
   * waits on the unique index and then gets AUTH_EMAIL_TAKEN.
   */
  async register(input: RegisterInput, ctx: RequestContext = {}): Promise<AuthSession> {
    // Hash before the transaction: it is the slow part and needs no lock.
    const { password, ...profileBody } = input;
    const passwordHash = await this.opts.hasher.hash(password);
    return this.opts.store.transaction(async (tx) => {
      const user = await tx.credentials.insert({ id: uuidv7(), email: input.email, passwordHash, role: input.role });
      const refreshToken = await this.startFamily(tx, user.id);
      // In the same transaction: a registration that fails (users down) leaves no event.
      await tx.events.userRegistered({ userId: user.id, role: user.role, email: user.email, locale: input.profile.locale ?? 'it' });
      const access = await this.opts.accessTokens.issue(user);
      await this.opts.profiles.putOwnProfile(access.token, profileBody, ctx.requestId);
      return this.session(user, access.token, access.expiresIn, refreshToken);
    });
  }

  /**
   * Unknown e-mail and wrong password get the same answer after the same work (a dummy
   * verification), and both count towards the per-e-mail lock.
   */
  async login(input: LoginInput): Promise<AuthSession> {
    const { store, hasher } = this.opts;
    const key = normaliseEmail(input.email);
    const lockedFor = await store.loginThrottle.lockedFor(key);
    if (lockedFor > 0) throw lockedError(lockedFor);

    const user = await store.credentials.findByEmail(key);
    let ok = false;
    if (user) ok = await hasher.verify(user.passwordHash, input.password);
    else await hasher.verifyDummy(input.password);
    if (!user || !ok) {
      await store.loginThrottle.recordFailure(key, this.opts.throttle);
      throw invalidCredentials();
    }

    await store.loginThrottle.clear(key);
    if (hasher.needsRehash(user.passwordHash)) {
      // Old scheme or weaker parameters: store an argon2id hash of the policy now that we know the password.
      await store.credentials.replacePasswordHash(user.id, user.passwordHash, await hasher.hash(input.password));
    }
    const refreshToken = await store.transaction((tx) => this.startFamily(tx, user.id));
    const access = await this.opts.accessTokens.issue(user);
    return this.session(user, access.token, access.expiresIn, refreshToken);
  }

  /**
   * Exchanges a refresh token for a new one in the same family. A token that was already
   * exchanged means it leaked (or a client replayed it): the whole family is revoked,
   * so the thief's and the owner's latest tokens both stop working.
   */
  async refresh(token: string): Promise<AuthSession> {
    const hash = hashRefreshToken(token);
    const outcome = await this.opts.store.transaction(async (tx): Promise<RefreshOutcome> => {
      const found = await tx.refreshTokens.findForUpdate(hash);
      if (!found || found.familyRevoked || found.expired) return { kind: 'invalid' };
      if (found.used) {
        await tx.refreshTokens.revokeFamily(found.familyId, 'reuse');
        // Returned, not thrown: the revocation must commit.
        return { kind: 'reused' };
      }
      const user = await tx.credentials.findById(found.userId);
      if (!user) return { kind: 'invalid' };
      await tx.refreshTokens.markUsed(found.id);
      const next = newRefreshToken();
      await tx.refreshTokens.insert({ id: uuidv7(), familyId: found.familyId, tokenHash: hashRefreshToken(next), ttlSeconds: this.opts.refreshTokenTtlSeconds });
      return { kind: 'ok', user, refreshToken: next };
    });
    if (outcome.kind !== 'ok') throw invalidRefresh();
    const access = await this.opts.accessTokens.issue(outcome.user);
    return this.session(outcome.user, access.token, access.expiresIn, outcome.refreshToken);
  }

  /** Revokes the token's family; an unknown token is not an error (logout is idempotent). */
  async logout(token: string): Promise<void> {
    await this.opts.store.refreshTokens.revokeFamilyOfToken(hashRefreshToken(token), 'logout');
  }

  async me(userId: string): Promise<AuthUser> {
    const user = await this.opts.store.credentials.findById(userId);
    if (!user) throw new AppError('UNAUTHENTICATED', 'The account of this token no longer exists');
    return { id: user.id, email: user.email, role: user.role };
  }

  private async startFamily(tx: Repositories, userId: string): Promise<string> {
    const familyId = uuidv7();
    await tx.refreshTokens.createFamily(familyId, userId);
    const token = newRefreshToken();
    await tx.refreshTokens.insert({ id: uuidv7(), familyId, tokenHash: hashRefreshToken(token), ttlSeconds: this.opts.refreshTokenTtlSeconds });
    return token;
  }

  private session(user: Credential, accessToken: string, expiresIn: number, refreshToken: string): AuthSession {
    return { user: { id: user.id, email: user.email, role: user.role }, accessToken, refreshToken, expiresIn };
  }
}

function lockedError(seconds: number): AppError {
  return new AppError('AUTH_ACCOUNT_LOCKED', `Too many failed logins for this e-mail; try again in ${seconds} seconds`, {
    headers: { 'retry-after': String(seconds) },
  });
}
