// Use cases of the users service. Callers are identified by the verified access token
// (subject = account id = profile id); ownership is that identity, nothing else.
import type { InternalProfileInput, ProfilePatch } from '@healthmatch/contracts';
import { AppError } from '@healthmatch/platform/errors';
import {
  applyPatch,
  canonicalUuid,
  checkPatch,
  isProfileRole,
  newProfile,
  sameProfile,
  type NewProfile,
  type Profile,
  type ProfileRole,
  type PublicProvider,
} from './profile.ts';

/** What the use cases need from storage (implemented in db/profile-repository.ts). */
export interface ProfileStore {
  findOwn(role: ProfileRole, id: string): Promise<Profile | undefined>;
  /** Inserts unless a profile (of either role) has this id; then returns that one. Atomic. */
  createIfAbsent(draft: NewProfile): Promise<{ created: boolean; profile: Profile }>;
  /** Applies `change` to the locked current profile and stores the result. */
  update(role: ProfileRole, id: string, change: (current: Profile) => Profile): Promise<Profile | undefined>;
  findPublicProviders(ids: readonly string[]): Promise<PublicProvider[]>;
}

export interface Caller {
  id: string;
  role: string;
}

export interface ProfileServiceDeps {
  store: ProfileStore;
  now?: () => Date;
}

export type ProfileService = ReturnType<typeof createProfileService>;

const notFound = () => new AppError('USERS_PROFILE_NOT_FOUND', 'No profile for this account');

/** The caller's account id; a verified token whose subject is not a UUID is not one of ours. */
function callerId(caller: Caller): string {
  const id = canonicalUuid(caller.id);
  if (!id) throw new AppError('UNAUTHENTICATED', 'Access token subject is not an account id');
  return id;
}

export function createProfileService({ store, now = () => new Date() }: ProfileServiceDeps) {
  return {
    /**
     * Registration: the new account creates its own profile. Repeating the same call
     * answers the stored profile (created false); a different profile for the same
     * account is a conflict, since changes go through PATCH /api/v1/users/me.
     */
    async createOwn(caller: Caller, input: InternalProfileInput): Promise<{ created: boolean; profile: Profile }> {
      const id = callerId(caller);
      if (caller.role !== input.role) {
        throw new AppError('FORBIDDEN', `The access token is for a ${caller.role} account; it cannot create a ${input.role} profile`);
      }
      const draft = newProfile(id, input, now());
      const result = await store.createIfAbsent(draft);
      if (!result.created && !sameProfile(result.profile, draft)) {
        throw new AppError('USERS_PROFILE_EXISTS', 'This account already has a different profile; change it with PATCH /api/v1/users/me');
      }
      return result;
    },

    async getOwn(caller: Caller): Promise<Profile> {
      const id = callerId(caller);
      if (!isProfileRole(caller.role)) throw notFound();
      const profile = await store.findOwn(caller.role, id);
      if (!profile) throw notFound();
      return profile;
    },

    async patchOwn(caller: Caller, patch: ProfilePatch): Promise<Profile> {
      const id = callerId(caller);
      if (!isProfileRole(caller.role)) throw notFound();
      checkPatch(caller.role, patch, now());
      const updated = await store.update(caller.role, id, (current) => applyPatch(current, patch));
      if (!updated) throw notFound();
      return updated;
    },

    /** A provider's public data; a patient's id answers exactly like an unknown one. */
    async getPublicProvider(rawId: string): Promise<PublicProvider> {
      const id = canonicalUuid(rawId);
      const [found] = id ? await store.findPublicProviders([id]) : [];
      if (!found) throw new AppError('USERS_PROFILE_NOT_FOUND', 'No such provider');
      return found;
    },

    /** Public data of the providers among `rawIds`, in the order asked, each once. */
    async getPublicProviders(rawIds: readonly string[]): Promise<PublicProvider[]> {
      const ids = [...new Set(rawIds.map((r) => canonicalUuid(r)).filter((v): v is string => v !== undefined))];
      if (ids.length === 0) return [];
      const byId = new Map((await store.findPublicProviders(ids)).map((p) => [p.id, p]));
      return ids.map((id) => byId.get(id)).filter((p): p is PublicProvider => p !== undefined);
    },
  };
}
