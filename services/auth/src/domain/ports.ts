// What the use cases need from the outside world; db/ and clients/ implement these.
import type { InternalProfileInput, Role, UserRegisteredV1 } from '@healthmatch/contracts';

export interface Credential {
  id: string;
  email: string;
  role: Role;
  passwordHash: string;
}

export interface CredentialsRepository {
  /** Throws AppError AUTH_EMAIL_TAKEN when the normalised e-mail exists already. */
  insert(c: { id: string; email: string; passwordHash: string; role: Role }): Promise<Credential>;
  findByEmail(emailNormalised: string): Promise<Credential | undefined>;
  findById(id: string): Promise<Credential | undefined>;
  /** Replaces the hash only if it is still `expected` (a concurrent change wins). */
  replacePasswordHash(id: string, expected: string, next: string): Promise<boolean>;
}

export interface ThrottlePolicy {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

export interface LoginThrottleRepository {
  /** Seconds the e-mail stays locked; 0 when it is not locked. */
  lockedFor(emailNormalised: string): Promise<number>;
  /** Counts a failure atomically and locks once the policy's limit is reached. */
  recordFailure(emailNormalised: string, policy: ThrottlePolicy): Promise<{ failures: number; lockedForSeconds: number }>;
  clear(emailNormalised: string): Promise<void>;
}

export interface RefreshTokenState {
  id: string;
  familyId: string;
  userId: string;
  expired: boolean;
  used: boolean;
  familyRevoked: boolean;
}

export type RevokeReason = 'logout' | 'reuse';

export interface RefreshTokenRepository {
  createFamily(familyId: string, userId: string): Promise<void>;
  insert(t: { id: string; familyId: string; tokenHash: string; ttlSeconds: number }): Promise<void>;
  /** Finds a token and locks it and its family until the transaction ends. */
  findForUpdate(tokenHash: string): Promise<RefreshTokenState | undefined>;
  markUsed(id: string): Promise<void>;
  revokeFamily(familyId: string, reason: RevokeReason): Promise<void>;
  /** Revokes the family of the token with this hash, if any. */
  revokeFamilyOfToken(tokenHash: string, reason: RevokeReason): Promise<void>;
}

/** Integration events, written to the outbox of the transaction the repositories belong to. */
export interface AuthEvents {
  userRegistered(data: UserRegisteredV1): Promise<void>;
}

export interface Repositories {
  credentials: CredentialsRepository;
  loginThrottle: LoginThrottleRepository;
  refreshTokens: RefreshTokenRepository;
  events: AuthEvents;
}

export interface AuthStore extends Repositories {
  /** Runs `fn` in one transaction; only the repositories it is given belong to it. */
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
}

/** The users service, seen from auth: it stores the caller's own profile. */
export interface ProfileDirectory {
  /** PUT /internal/profiles/me: creates or replaces the token subject's profile; throws AppError on failure. */
  putOwnProfile(accessToken: string, body: InternalProfileInput, requestId?: string): Promise<void>;
}
