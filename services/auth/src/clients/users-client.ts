// The users service's internal profile endpoint, called at registration with the new
// user's own access token. Its failures become 502/503/504 problems; a 400 about the
// profile is passed on (the body we send has the shape of the register body, so the
// field paths still point at the client's own fields).
import { createHttpClient } from '@healthmatch/platform';
import { AppError, isAppError, type FieldError } from '@healthmatch/platform/errors';
import type { ProfileDirectory } from '../domain/ports.ts';

export interface UsersClientOptions {
  baseUrl: string;
  timeoutMs: number;
}

interface ProblemLike {
  code?: unknown;
  detail?: unknown;
  errors?: unknown;
}

const PATH = '/internal/profiles/me';

function fieldErrors(errors: unknown): FieldError[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  const out = errors.filter((e): e is FieldError => typeof e?.field === 'string' && typeof e?.message === 'string');
  return out.length > 0 ? out.map((e) => ({ field: e.field, message: e.message })) : undefined;
}

export function createUsersClient(opts: UsersClientOptions): ProfileDirectory & { close(): Promise<void> } {
  // PUT of one's own profile is idempotent (create or replace), so one retry after a network failure is safe.
  const http = createHttpClient({ baseUrl: opts.baseUrl, name: 'users', timeoutMs: opts.timeoutMs, retries: 1 });
  return {
    async putOwnProfile(accessToken, body, requestId) {
      let res;
      try {
        res = await http.call<ProblemLike | string>('PUT', PATH, { headers: { authorization: `Bearer ${accessToken}` }, body, requestId, idempotent: true });
      } catch (err) {
        // Keep the network cause in the (logged, never returned) detail, not in the answer's body.
        if (isAppError(err)) throw new AppError(err.code, `${err.detail ?? err.code} (${String(err.extras.cause ?? '')})`);
        throw err;
      }
      if (res.status >= 200 && res.status < 300) return;
      const problem: ProblemLike = typeof res.body === 'object' && res.body !== null ? res.body : {};
      const upstream = `users answered ${res.status}${typeof problem.code === 'string' ? ` ${problem.code}` : ''} to PUT ${PATH}`;
      if (res.status === 400 || res.status === 422) {
        const errors = fieldErrors(problem.errors);
        const detail = typeof problem.detail === 'string' ? problem.detail : 'The users service rejected the profile';
        throw new AppError(res.status === 400 ? 'VALIDATION_FAILED' : 'UNPROCESSABLE', detail, errors ? { errors } : {});
      }
      if (res.status === 503) throw new AppError('SERVICE_UNAVAILABLE', upstream);
      throw new AppError('BAD_GATEWAY', upstream);
    },
    close: () => http.close(),
  };
}
