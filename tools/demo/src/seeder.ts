// Turns facility plans into demo accounts, offerings and hours through the public API, so
// that a second run finds everything in place and changes nothing:
// - account: register; 409 AUTH_EMAIL_TAKEN -> log in with the same password;
// - profile: an existing account's profile is compared with the plan and only the fields
//   that differ are patched (e.g. after the name rules improved);
// - offerings: the provider's own offerings are listed (GET /catalog/offerings?mine=true)
//   and only missing (service, modality) pairs are created; a POST that got no answer may
//   have been stored, so the list is read again before trying once more;
// - hours: read first and replaced (PUT) only when they differ.
import type { Availability, AvailabilityInput, CatalogService, Offering, ProfilePatch, ProviderProfile, ProviderProfileInput } from '@healthmatch/contracts';
import type { HealthMatchApi } from './api.ts';
import { HttpError, isNetworkError, problemOf, unexpected } from './http.ts';
import { ALL_TEMPLATES, type FacilityPlan, type ServiceTemplate } from './plan.ts';

export interface ResolvedService {
  service: CatalogService;
  /** `code`: the national code was found; `words`: only the search words matched (first hit). */
  how: 'code' | 'words';
}

export interface Resolution {
  byCode: Map<string, ResolvedService>;
  missing: ServiceTemplate[];
  byWords: ServiceTemplate[];
}

/**
 * Finds each template's catalogue service through the catalog API: by its words, picking
 * the hit with the template's national code; then by the code itself; else the first hit of
 * the words (reported). Ids are never stored in this tool.
 */
export async function resolveTemplates(api: HealthMatchApi, templates: ServiceTemplate[] = ALL_TEMPLATES): Promise<Resolution> {
  const out: Resolution = { byCode: new Map(), missing: [], byWords: [] };
  await runPool(templates, 8, async (tpl) => {
    const byWords = await api.findServices(tpl.query);
    let exact = byWords.find((s) => s.code === tpl.code);
    if (!exact) exact = (await api.findServices(tpl.code)).find((s) => s.code === tpl.code);
    if (exact) {
      out.byCode.set(tpl.code, { service: exact, how: 'code' });
    } else if (byWords[0]) {
      out.byCode.set(tpl.code, { service: byWords[0], how: 'words' });
      out.byWords.push(tpl);
    } else {
      out.missing.push(tpl);
    }
  });
  return out;
}

export interface FacilityOutcome {
  key: string;
  name: string;
  account: 'created' | 'existing' | 'failed';
  profile: 'new' | 'unchanged' | 'updated' | 'failed';
  offerings: { created: number; existing: number; updated: number; refreshed: number; unresolved: number };
  availability: 'set' | 'unchanged' | 'none' | 'failed';
  error?: string;
  /** The failure was the platform not answering (counts towards aborting the run). */
  networkFailure?: boolean;
}

export interface SeedContext {
  api: HealthMatchApi;
  password: string;
  resolution: Resolution;
  sleep?: (ms: number) => Promise<void>;
}

class SeedError extends Error {}

const sameNumber = (a: number, b: number) => Math.abs(a - b) < 1e-9;

/** The fields of the profile that differ from the plan, as a PATCH body (lat and lon together). */
export function profileDiff(current: ProviderProfile, wanted: ProviderProfileInput): ProfilePatch | null {
  const patch: ProfilePatch = {};
  if (current.displayName !== wanted.displayName) patch.displayName = wanted.displayName;
  if (current.kind !== wanted.kind) patch.kind = wanted.kind;
  if (JSON.stringify(current.languages) !== JSON.stringify(wanted.languages)) patch.languages = wanted.languages;
  if (current.address !== wanted.address) patch.address = wanted.address;
  if (current.city !== wanted.city) patch.city = wanted.city;
  if (!sameNumber(current.lat, wanted.lat) || !sameNumber(current.lon, wanted.lon)) {
    patch.lat = wanted.lat;
    patch.lon = wanted.lon;
  }
  if ((current.bio ?? undefined) !== wanted.bio) patch.bio = wanted.bio ?? null;
  if (wanted.locale && current.locale !== wanted.locale) patch.locale = wanted.locale;
  return Object.keys(patch).length > 0 ? patch : null;
}

const intervalKey = (w: { day: string; start: string; end: string }) => `${w.day} ${w.start}-${w.end}`;

export function sameAvailability(current: Availability, wanted: AvailabilityInput): boolean {
  const a = current.weekly.map(intervalKey).sort();
  const b = wanted.weekly.map(intervalKey).sort();
  return (
    current.timeZone === wanted.timeZone &&
    JSON.stringify(a) === JSON.stringify(b) &&
    current.exceptions.length === (wanted.exceptions?.length ?? 0) &&
    (wanted.minNoticeMinutes === undefined || current.minNoticeMinutes === wanted.minNoticeMinutes) &&
    (wanted.maxAdvanceDays === undefined || current.maxAdvanceDays === wanted.maxAdvanceDays)
  );
}

async function openAccount(ctx: SeedContext, plan: FacilityPlan, out: FacilityOutcome): Promise<string> {
  const { api } = ctx;
  const registered = await api.register(plan.email, ctx.password, plan.profile);
  if (registered.kind === 'created') {
    out.account = 'created';
    out.profile = 'new';
    return registered.session.accessToken;
  }
  let session;
  try {
    session = await api.login(plan.email, ctx.password);
  } catch (err) {
    if (err instanceof HttpError && err.code === 'AUTH_INVALID_CREDENTIALS') {
      throw new SeedError(`${plan.email} exists but DEMO_PASSWORD does not open it (was it seeded with another password?)`);
    }
    if (err instanceof HttpError && err.code === 'AUTH_ACCOUNT_LOCKED') {
      throw new SeedError(`${plan.email} is locked after failed logins; wait 15 minutes or use the password it was seeded with`);
    }
    throw err;
  }
  out.account = 'existing';
  if (session.user.role !== 'provider') throw new SeedError(`${plan.email} exists with role ${session.user.role}, not provider`);

  let me: ProviderProfile;
  try {
    me = await api.me(session.accessToken);
  } catch (err) {
    if (err instanceof HttpError && err.code === 'USERS_PROFILE_NOT_FOUND') {
      throw new SeedError(`${plan.email} has a login but no profile (auth and users data out of step; restart with \`npm start -- --reset\`)`);
    }
    throw err;
  }
  if (!me.demo) throw new SeedError(`${plan.email} exists but is not marked as demo data; left alone`);
  const patch = profileDiff(me, plan.profile);
  if (patch) {
    await api.patchMe(session.accessToken, patch);
    out.profile = 'updated';
  } else {
    out.profile = 'unchanged';
  }
  return session.accessToken;
}

interface Wanted {
  serviceId: string;
  modality: 'in_person' | 'telehealth';
  amount: number;
  durationMinutes: number;
}

const offeringKey = (serviceId: string, modality: string) => `${serviceId.toLowerCase()}|${modality}`;
const MAX_CREATE_ROUNDS = 4;

function isRetryableAnswer(status: number): boolean {
  return status >= 500 || status === 429;
}

async function ensureOfferings(ctx: SeedContext, token: string, plan: FacilityPlan, out: FacilityOutcome, refreshCopies: boolean): Promise<void> {
  const { api } = ctx;
  const sleep = ctx.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const wanted: Wanted[] = [];
  for (const o of plan.offerings) {
    const resolved = ctx.resolution.byCode.get(o.template.code);
    if (!resolved) {
      out.offerings.unresolved++;
      continue;
    }
    wanted.push({ serviceId: resolved.service.id, modality: o.modality, amount: o.amount, durationMinutes: o.durationMinutes });
  }
  if (wanted.length === 0) return;

  // First look: what exists already (kept as is, or brought in line with the plan).
  const existing = new Map<string, Offering>();
  for (const o of await api.myOfferings(token)) {
    const k = offeringKey(o.service.id, o.modality);
    // With duplicates (made by hand), compare against the active one.
    if (!existing.has(k) || (o.active && !existing.get(k)?.active)) existing.set(k, o);
  }
  let pending: Wanted[] = [];
  for (const w of wanted) {
    const found = existing.get(offeringKey(w.serviceId, w.modality));
    if (!found) {
      pending.push(w);
      continue;
    }
    if (found.price.amount !== w.amount || found.price.currency !== 'EUR' || found.durationMinutes !== w.durationMinutes) {
      await api.patchOffering(token, found.id, { price: { amount: w.amount, currency: 'EUR' }, durationMinutes: w.durationMinutes });
      out.offerings.updated++;
    } else if (refreshCopies && found.active) {
      // The profile changed: any update refreshes the offering's copy of it (ADR 0002).
      await api.patchOffering(token, found.id, { durationMinutes: found.durationMinutes });
      out.offerings.refreshed++;
    } else {
      out.offerings.existing++;
    }
    // An inactive demo offering was switched off on purpose: it is left off.
  }

  for (let round = 1; pending.length > 0; round++) {
    const failed: Wanted[] = [];
    let lastFailure = '';
    for (const w of pending) {
      try {
        const res = await api.createOffering(token, {
          serviceId: w.serviceId,
          price: { amount: w.amount, currency: 'EUR' },
          durationMinutes: w.durationMinutes,
          modality: w.modality,
        });
        if (res.status === 201) {
          out.offerings.created++;
          continue;
        }
        if (!isRetryableAnswer(res.status)) throw unexpected('POST', `${api.endpoints.urls.catalog}/api/v1/catalog/offerings`, res);
        lastFailure = `${res.status} ${problemOf(res.body)?.code ?? ''}`.trim();
      } catch (err) {
        if (!(err instanceof HttpError && err.network)) throw err;
        lastFailure = err.message;
      }
      failed.push(w);
    }
    if (failed.length === 0) break;
    if (round >= MAX_CREATE_ROUNDS) throw new SeedError(`could not create ${failed.length} offering(s): ${lastFailure}`);
    await sleep(500 * 2 ** (round - 1));
    // A POST that got no answer may have been stored: look again before creating once more.
    const now = new Set((await api.myOfferings(token)).map((o) => offeringKey(o.service.id, o.modality)));
    pending = [];
    for (const w of failed) {
      if (now.has(offeringKey(w.serviceId, w.modality))) out.offerings.created++;
      else pending.push(w);
    }
  }
}

async function ensureHours(ctx: SeedContext, token: string, plan: FacilityPlan, out: FacilityOutcome): Promise<void> {
  if (!plan.availability) {
    out.availability = 'none';
    return;
  }
  const current = await ctx.api.availability(token);
  if (current && sameAvailability(current, plan.availability)) {
    out.availability = 'unchanged';
    return;
  }
  await ctx.api.putAvailability(token, plan.availability);
  out.availability = 'set';
}

/** Seeds one facility; never throws: a failure is reported in the outcome. */
export async function seedFacility(ctx: SeedContext, plan: FacilityPlan): Promise<FacilityOutcome> {
  const out: FacilityOutcome = {
    key: plan.key,
    name: plan.profile.displayName,
    account: 'failed',
    profile: 'failed',
    offerings: { created: 0, existing: 0, updated: 0, refreshed: 0, unresolved: 0 },
    availability: 'failed',
  };
  try {
    const token = await openAccount(ctx, plan, out);
    await ensureOfferings(ctx, token, plan, out, out.profile === 'updated');
    await ensureHours(ctx, token, plan, out);
  } catch (err) {
    out.error = err instanceof Error ? err.message : String(err);
    out.networkFailure = (err instanceof HttpError && (err.network || (err.status !== undefined && err.status >= 500))) || isNetworkError(err);
  }
  return out;
}

/**
 * Runs `worker` over `items` with at most `concurrency` at a time. `shouldStop` is asked
 * before each new item starts (items not started are simply not run).
 */
export async function runPool<T>(items: readonly T[], concurrency: number, worker: (item: T, index: number) => Promise<void>, shouldStop: () => boolean = () => false): Promise<number> {
  let next = 0;
  let started = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      started++;
      await worker(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
  return started;
}
