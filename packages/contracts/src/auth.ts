// HTTP DTOs of the auth service: register, login, refresh, logout, JWKS.
import { Type, type Static } from '@sinclair/typebox';
import { Email, RegistrationEmail, Role, Uuid } from './common.ts';
import { withRoleProfile, type PatientProfileInput, type ProviderProfileInput } from './users.ts';

/**
 * Roles anyone may give themselves; admins are made by other admins, never self-registered.
 * An enum rather than a union of literals, so a wrong value gets one clear message.
 */
export const SelfRegisterRole = Type.Unsafe<'patient' | 'provider'>({
  type: 'string',
  enum: ['patient', 'provider'],
  description: 'patient or provider (admin accounts cannot self-register)',
});
export type SelfRegisterRole = Static<typeof SelfRegisterRole>;

/** Password policy for new passwords. */
export const NewPassword = Type.String({
  minLength: 10,
  maxLength: 128,
  // At least one visible character (not only spaces, format marks or zero-width ones), and
  // no control characters anywhere.
  pattern: '^[^\\p{Cc}]*[^\\p{Cc}\\p{Cf}\\p{Z}\\s][^\\p{Cc}]*$',
  description: 'password of 10 to 128 characters, at least one of them visible, no control characters',
});

/** Opaque refresh token as issued (base64url of 32 random bytes). */
export const RefreshToken = Type.String({ minLength: 20, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$', description: 'opaque refresh token' });

/**
 * Registration; `profile` follows the chosen role (see withRoleProfile).
 * Auth forwards `{ role, email, profile }` to users as InternalProfileInput.
 */
export type RegisterInput =
  | { email: string; password: string; role: 'patient'; profile: PatientProfileInput }
  | { email: string; password: string; role: 'provider'; profile: ProviderProfileInput };
export const RegisterInput = withRoleProfile<RegisterInput>({ email: RegistrationEmail, password: NewPassword, role: SelfRegisterRole });

export const LoginInput = Type.Object(
  {
    email: Email,
    // Not the new-password policy: older accounts may have shorter passwords. Bounded to cap hashing work.
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginInput = Static<typeof LoginInput>;

export const RefreshInput = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false });
export type RefreshInput = Static<typeof RefreshInput>;

export const LogoutInput = Type.Object({ refreshToken: RefreshToken }, { additionalProperties: false });
export type LogoutInput = Static<typeof LogoutInput>;

export const AuthUser = Type.Object({ id: Uuid, email: Type.String(), role: Role });
export type AuthUser = Static<typeof AuthUser>;

export const AuthSession = Type.Object({
  user: AuthUser,
  accessToken: Type.String({ description: 'JWT (EdDSA), send as Authorization: Bearer' }),
  refreshToken: Type.String({ description: 'opaque; single use: every refresh returns a new one' }),
  expiresIn: Type.Integer({ description: 'access token lifetime in seconds' }),
});
export type AuthSession = Static<typeof AuthSession>;

/** A public signing key (RFC 7517); OKP for EdDSA, EC for ES256. */
export const PublicJwk = Type.Object({
  kty: Type.String(),
  crv: Type.Optional(Type.String()),
  x: Type.Optional(Type.String()),
  y: Type.Optional(Type.String()),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.Literal('sig'),
});
export type PublicJwk = Static<typeof PublicJwk>;

export const Jwks = Type.Object({ keys: Type.Array(PublicJwk) });
export type Jwks = Static<typeof Jwks>;
