// Turns the parsed source files into what the catalog stores: services with a display
// name, search text and derived specialty, and the specialty list. Pure: the import use
// case reads the files (csv-sources.ts), calls buildCatalogue() and persists the result.
import {
  HOSPITAL_DISCIPLINE,
  OUTPATIENT_BRANCH,
  type CatalogueRecord,
  type SpecialtyRecord,
  type SpecialtySystem,
} from './csv-sources.ts';
import { createSpecialtyDeriver, type DerivationKind, type DerivedSpecialty, type UnresolvedRule } from './specialty-derivation.ts';
import { cleanDescription, displayName, normalizeText } from './text.ts';

export interface CatalogueService {
  code: string;
  /** The official description as given (trimmed). */
  description: string;
  /** The description with source quirks repaired (see cleanDescription). */
  cleanDescription: string;
  /** Short human name: the title in sentence case, e.g. "Prima visita cardiologica". */
  name: string;
  /** Normalised words of code and description, for prefix search (see searchTokens). */
  searchText: string;
  /** Derived outpatient branch; `derivation` says how, null fields when none. */
  specialty: DerivedSpecialty;
}

export interface CatalogueSpecialty {
  system: SpecialtySystem;
  code: string;
  /** As given in the source. */
  name: string;
  definition: string | null;
  searchText: string;
}

export interface DerivationSummary {
  total: number;
  /** Services with a derived specialty. */
  derived: number;
  unmatched: number;
  byKind: Record<DerivationKind, number>;
  /** Outpatient branch code -> number of services, in branch order; branches with none included. */
  bySpecialty: { code: string; name: string; services: number }[];
}

export interface Catalogue {
  services: CatalogueService[];
  /** Outpatient branches: HealthMatch's specialty list and the only targets of search filters. */
  specialties: CatalogueSpecialty[];
  /** Hospital disciplines, kept for reference (typed by `system`). */
  hospitalDisciplines: CatalogueSpecialty[];
  summary: DerivationSummary;
  /** Derivation rules whose branch is not in the specialty list (they derived nothing). */
  unresolvedRules: UnresolvedRule[];
}

function toSpecialty(s: SpecialtyRecord): CatalogueSpecialty {
  return { system: s.system, code: s.code, name: s.name, definition: s.definition, searchText: normalizeText(cleanDescription(s.name)) };
}

/** One service, ready to store. */
export function toCatalogueService(record: Pick<CatalogueRecord, 'code' | 'description'>, specialty: DerivedSpecialty): CatalogueService {
  const clean = cleanDescription(record.description);
  return {
    code: record.code,
    description: record.description,
    cleanDescription: clean,
    name: displayName(record.description),
    searchText: normalizeText(`${record.code} ${clean}`),
    specialty,
  };
}

export function summarizeDerivations(
  services: readonly Pick<CatalogueService, 'specialty'>[],
  branches: readonly Pick<CatalogueSpecialty, 'code' | 'name'>[],
): DerivationSummary {
  const counts = new Map<string, number>();
  const byKind: Record<DerivationKind, number> = { keyword: 0, 'code-prefix': 0 };
  for (const { specialty } of services) {
    if (specialty.specialtyCode === null || specialty.derivation === null) continue;
    byKind[specialty.derivation] += 1;
    counts.set(specialty.specialtyCode, (counts.get(specialty.specialtyCode) ?? 0) + 1);
  }
  const derived = byKind.keyword + byKind['code-prefix'];
  return {
    total: services.length,
    derived,
    unmatched: services.length - derived,
    byKind,
    bySpecialty: branches.map((b) => ({ code: b.code, name: b.name, services: counts.get(b.code) ?? 0 })),
  };
}

/** Builds the catalogue from parsed records (see readCatalogueCsv, readSpecialtiesCsv). */
export function buildCatalogue(records: readonly CatalogueRecord[], specialtyRecords: readonly SpecialtyRecord[]): Catalogue {
  const deriver = createSpecialtyDeriver(specialtyRecords);
  const services = records.map((r) => toCatalogueService(r, deriver.derive(r)));
  const specialties = specialtyRecords.filter((s) => s.system === OUTPATIENT_BRANCH).map(toSpecialty);
  const hospitalDisciplines = specialtyRecords.filter((s) => s.system === HOSPITAL_DISCIPLINE).map(toSpecialty);
  return {
    services,
    specialties,
    hospitalDisciplines,
    summary: summarizeDerivations(services, specialties),
    unresolvedRules: deriver.unresolved,
  };
}
