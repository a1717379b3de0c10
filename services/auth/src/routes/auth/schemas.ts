// Route schemas of /api/v1/auth: bodies and answers from @healthmatch/contracts, every
// error answer documented as problem+json.
import { AuthSession, AuthUser, LoginInput, LogoutInput, RefreshInput, RegisterInput } from '@healthmatch/contracts';
import { Type } from '@sinclair/typebox';

/** The contracts' Problem schema, added to the app once under its $id. */
export const ProblemRef = Type.Ref('Problem');

const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, ProblemRef]));

export const registerSchema = {
  tags: ['auth'],
  summary: 'Create a patient or provider account with its profile',
  body: RegisterInput,
  response: { 201: AuthSession, ...problems(400, 409, 413, 415, 502, 503, 504) },
};

export const loginSchema = {
  tags: ['auth'],
  summary: 'Log in with e-mail and password',
  description: 'An unknown e-mail and a wrong password get the same 401. Repeated failures lock the e-mail for a while (429, Retry-After).',
  body: LoginInput,
  response: { 200: AuthSession, ...problems(400, 401, 415, 429) },
};

export const refreshSchema = {
  tags: ['auth'],
  summary: 'Exchange a refresh token for new tokens',
  description: 'Every refresh token works once. Presenting one that was already exchanged revokes its whole family.',
  body: RefreshInput,
  response: { 200: AuthSession, ...problems(400, 401, 415) },
};

export const logoutSchema = {
  tags: ['auth'],
  summary: 'Revoke a refresh token and every token of its family',
  body: LogoutInput,
  response: { 204: Type.Null({ description: 'Logged out (also for an unknown token)' }), ...problems(400, 415) },
};

export const meSchema = {
  tags: ['auth'],
  summary: 'The account of the access token',
  security: [{ bearerAuth: [] }],
  response: { 200: AuthUser, ...problems(401) },
};
