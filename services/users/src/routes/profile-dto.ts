// Domain profiles -> the DTOs of @healthmatch/contracts (instants as RFC 3339 strings).
// Response schemas strip anything else; these functions decide what is sent at all.
import type { Profile as ProfileDto, PublicProvider as PublicProviderDto } from '@healthmatch/contracts';
import { toPublicProvider, type Profile, type PublicProvider } from '../domain/profile.ts';

export function profileDto(p: Profile): ProfileDto {
  const timestamps = { createdAt: p.createdAt.toISOString(), updatedAt: p.updatedAt.toISOString() };
  if (p.role === 'patient') {
    return { id: p.id, role: 'patient', email: p.email, firstName: p.firstName, lastName: p.lastName, phone: p.phone, birthDate: p.birthDate, locale: p.locale, ...timestamps };
  }
  return { ...toPublicProvider(p), role: 'provider', email: p.email, locale: p.locale, ...timestamps };
}

export function publicProviderDto(p: PublicProvider): PublicProviderDto {
  return toPublicProvider(p);
}
