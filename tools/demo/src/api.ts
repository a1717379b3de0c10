// The HealthMatch public HTTP API as the seeder uses it (DTOs of @healthmatch/contracts).
// Talks to each service directly by default; with `viaGateway` every call goes through the
// gateway instead (which rate-limits registration and login per client address).
import type {
  AuthSession,
  Availability,
  AvailabilityInput,
  CatalogService,
  Offering,
  OfferingInput,
  OfferingPatch,
  ProfilePatch,
  ProviderProfile,
  ProviderProfileInput,
} from '@healthmatch/contracts';
import { HttpError, problemOf, unexpected, type HttpClient, type JsonResponse } from './http.ts';

export interface ServiceUrls {
  auth: string;
  users: string;
  catalog: string;
  booking: string;
}

export interface Endpoints {
  urls: ServiceUrls;
  /** Set when every call goes through the gateway. */
  gateway?: string;
}

export function endpointsFromEnv(env: NodeJS.ProcessEnv, viaGateway: boolean): Endpoints {
  const strip = (u: string) => u.replace(/\/+$/, '');
  if (viaGateway) {
    const gateway = strip(env.GATEWAY_URL ?? 'http://127.0.0.1:8080');
    return { gateway, urls: { auth: gateway, users: gateway, catalog: gateway, booking: gateway } };
  }
  return {
    urls: {
      auth: strip(env.AUTH_URL ?? 'http://127.0.0.1:8081'),
      users: strip(env.USERS_URL ?? 'http://127.0.0.1:8082'),
      catalog: strip(env.CATALOG_URL ?? 'http://127.0.0.1:8083'),
      booking: strip(env.BOOKING_URL ?? 'http://127.0.0.1:8084'),
    },
  };
}

export interface Readiness {
  name: string;
  url: string;
  ok: boolean;
  detail: string;
}

export type RegisterResult = { kind: 'created'; session: AuthSession } | { kind: 'taken' };

export class HealthMatchApi {
  constructor(
    readonly http: HttpClient,
    readonly endpoints: Endpoints,
  ) {}

  private get u(): ServiceUrls {
    return this.endpoints.urls;
  }

  /** `/readyz` of each service, or the gateway's `/status` (which asks every service). */
  async readiness(): Promise<Readiness[]> {
    const targets = this.endpoints.gateway
      ? [{ name: 'gateway', url: `${this.endpoints.gateway}/status` }]
      : (Object.entries(this.u) as [string, string][]).map(([name, base]) => ({ name, url: `${base}/readyz` }));
    return Promise.all(
      targets.map(async ({ name, url }) => {
        try {
          const res = await this.http.call('GET', url, { retry: false });
          return { name, url, ok: res.status === 200, detail: res.status === 200 ? 'ready' : `answered ${res.status}${problemOf(res.body)?.detail ? ` (${problemOf(res.body)?.detail})` : ''}` };
        } catch (err) {
          return { name, url, ok: false, detail: err instanceof HttpError ? err.message.replace(/^.*: no answer /, 'no answer ') : String(err) };
        }
      }),
    );
  }

  async register(email: string, password: string, profile: ProviderProfileInput): Promise<RegisterResult> {
    const url = `${this.u.auth}/api/v1/auth/register`;
    // Safe to retry: a repeat of a registration that went through answers 409, and then we log in.
    const res = await this.http.call('POST', url, { body: { email, password, role: 'provider', profile }, retry: true });
    if (res.status === 201) return { kind: 'created', session: res.body as AuthSession };
    if (res.status === 409 && problemOf(res.body)?.code === 'AUTH_EMAIL_TAKEN') return { kind: 'taken' };
    throw unexpected('POST', url, res);
  }

  async login(email: string, password: string): Promise<AuthSession> {
    const url = `${this.u.auth}/api/v1/auth/login`;
    const res = await this.http.call('POST', url, { body: { email, password }, retry: true });
    if (res.status === 200) return res.body as AuthSession;
    throw unexpected('POST', url, res);
  }

  async me(token: string): Promise<ProviderProfile> {
    const url = `${this.u.users}/api/v1/users/me`;
    const res = await this.http.call('GET', url, { token, retry: true });
    if (res.status === 200) return res.body as ProviderProfile;
    throw unexpected('GET', url, res);
  }

  async patchMe(token: string, patch: ProfilePatch): Promise<ProviderProfile> {
    const url = `${this.u.users}/api/v1/users/me`;
    // A PATCH that sets fields to given values is idempotent.
    const res = await this.http.call('PATCH', url, { token, body: patch, retry: true });
    if (res.status === 200) return res.body as ProviderProfile;
    throw unexpected('PATCH', url, res);
  }

  /** The first page (up to 100) of catalogue services matching the words. */
  async findServices(q: string): Promise<CatalogService[]> {
    const url = `${this.u.catalog}/api/v1/catalog/services?${new URLSearchParams({ q, limit: '100' })}`;
    const res = await this.http.call('GET', url, { retry: true });
    if (res.status === 200) return (res.body as { items: CatalogService[] }).items;
    throw unexpected('GET', url, res);
  }

  /** All of the caller's own offerings, inactive ones included (every page). */
  async myOfferings(token: string): Promise<Offering[]> {
    const out: Offering[] = [];
    let cursor: string | null = null;
    do {
      const params = new URLSearchParams({ mine: 'true', limit: '100' });
      if (cursor) params.set('cursor', cursor);
      const url = `${this.u.catalog}/api/v1/catalog/offerings?${params}`;
      const res = await this.http.call('GET', url, { token, retry: true });
      if (res.status !== 200) throw unexpected('GET', url, res);
      const page = res.body as { items: Offering[]; nextCursor: string | null };
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  /**
   * Creates an offering. Not retried here: a POST that timed out may have been stored, so
   * the caller lists its offerings again before trying once more (ensureOfferings).
   */
  async createOffering(token: string, input: OfferingInput): Promise<JsonResponse> {
    return this.http.call('POST', `${this.u.catalog}/api/v1/catalog/offerings`, { token, body: input, retry: false });
  }

  async patchOffering(token: string, id: string, patch: OfferingPatch): Promise<Offering> {
    const url = `${this.u.catalog}/api/v1/catalog/offerings/${id}`;
    const res = await this.http.call('PATCH', url, { token, body: patch, retry: true });
    if (res.status === 200) return res.body as Offering;
    throw unexpected('PATCH', url, res);
  }

  /** The caller's availability, or null when none was published yet. */
  async availability(token: string): Promise<Availability | null> {
    const url = `${this.u.booking}/api/v1/booking/availability`;
    const res = await this.http.call('GET', url, { token, retry: true });
    if (res.status === 200) return res.body as Availability;
    if (res.status === 404 && problemOf(res.body)?.code === 'BOOKING_NO_AVAILABILITY') return null;
    throw unexpected('GET', url, res);
  }

  /** Replaces the caller's availability (a PUT: repeating it is harmless). */
  async putAvailability(token: string, input: AvailabilityInput): Promise<Availability> {
    const url = `${this.u.booking}/api/v1/booking/availability`;
    const res = await this.http.call('PUT', url, { token, body: input, retry: true });
    if (res.status === 200) return res.body as Availability;
    throw unexpected('PUT', url, res);
  }
}
