// Records of the domain -> DTOs of the public contract (packages/contracts/src/catalog.ts).
import type { CatalogService, Offering, SearchHit, Specialty } from '@healthmatch/contracts';
import type { OfferingRecord, SearchHitRecord, ServiceRow, SpecialtyRow } from '../domain/ports.ts';

export function toSpecialtyDto(s: SpecialtyRow): Specialty {
  return { id: s.id, code: s.code, name: s.name };
}

export function toServiceDto(s: ServiceRow): CatalogService {
  return {
    id: s.id,
    code: s.code,
    name: s.name,
    description: s.description,
    specialty: s.specialty
      ? { code: s.specialty.code, name: s.specialty.name, derived: s.specialty.derived, ...(s.specialty.rule ? { rule: s.specialty.rule } : {}) }
      : null,
  };
}

/** What an offering and a search hit both show of an offering. */
function offeringTerms(o: OfferingRecord) {
  return {
    service: { ...o.service },
    specialty: o.specialty ? { code: o.specialty.code, name: o.specialty.name, derived: o.specialty.derived } : null,
    provider: { ...o.provider },
    price: { ...o.price },
    durationMinutes: o.durationMinutes,
    modality: o.modality,
    location: { ...o.location },
  };
}

export function toOfferingDto(o: OfferingRecord): Offering {
  return {
    id: o.id,
    providerId: o.providerId,
    ...offeringTerms(o),
    active: o.active,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
  };
}

/** Distances are shown to the metre; the cursor keeps the exact value. */
const roundKm = (km: number): number => Math.round(km * 1000) / 1000;

export function toSearchHitDto(h: SearchHitRecord): SearchHit {
  return {
    offeringId: h.offering.id,
    ...offeringTerms(h.offering),
    ...(h.distanceKm !== undefined ? { distanceKm: roundKm(h.distanceKm) } : {}),
  };
}
