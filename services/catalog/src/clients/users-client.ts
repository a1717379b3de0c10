// The users service as the catalog sees it: one call, GET a provider's public profile
// (PublicProvider of contracts/users.ts). The answer is checked against the contract;
// anything unexpected is a 502, never a guess. 404 means "no profile".
import { PublicProvider } from '@healthmatch/contracts';
import { compileSchemaCheck, createHttpClient, type HttpClient } from '@healthmatch/platform';
import { AppError, isAppError } from '@healthmatch/platform/errors';
import type { CallContext, ProviderDirectory, ProviderSnapshot } from '../domain/ports.ts';

const providerCheck = compileSchemaCheck(PublicProvider);

export interface UsersClient extends ProviderDirectory {
  close(): Promise<void>;
}

export interface UsersClientOptions {
  baseUrl: string;
  timeoutMs?: number;
  http?: HttpClient;
}

export function createUsersClient(opts: UsersClientOptions): UsersClient {
  // A GET: the kit retries it after a network failure.
  const http = opts.http ?? createHttpClient({ baseUrl: opts.baseUrl, name: 'users', timeoutMs: opts.timeoutMs ?? 3_000, retries: 1 });
  return {
    async getProvider(id: string, ctx: CallContext): Promise<ProviderSnapshot | null> {
      const path = `/api/v1/providers/${encodeURIComponent(id.toLowerCase())}`;
      let res;
      try {
        // The profile is public; the caller's token goes along in case users ever wants it.
        res = await http.call<unknown>('GET', path, { requestId: ctx.requestId, headers: { authorization: ctx.authorization } });
      } catch (err) {
        // The network cause goes to the log (detail of a 5xx is never sent), not into the answer's body.
        if (isAppError(err)) throw new AppError(err.code, `${err.detail ?? err.code} (${String(err.extras.cause ?? '')})`);
        throw err;
      }
      if (res.status === 404) return null;
      if (res.status === 503) throw new AppError('SERVICE_UNAVAILABLE', `users answered 503 to GET ${path}`, { headers: { 'retry-after': '5' } });
      if (res.status !== 200) throw new AppError('BAD_GATEWAY', `users answered ${res.status} to GET ${path}`);
      if (!providerCheck.check(res.body)) {
        const fields = providerCheck.errors('provider').slice(0, 5).map((e) => `${e.field} ${e.message}`);
        throw new AppError('BAD_GATEWAY', `users answered with a provider that breaks the contract: ${fields.join('; ')}`);
      }
      const p = res.body;
      if (p.id.toLowerCase() !== id.toLowerCase()) throw new AppError('BAD_GATEWAY', 'users answered with another provider');
      return { id: p.id, displayName: p.displayName, address: p.address, city: p.city, lat: p.lat, lon: p.lon, demo: p.demo };
    },
    close: () => http.close(),
  };
}
