// The catalogue import use case: read the two public source files, build the catalogue
// (derived specialties, names, search words), and upsert it by code in one transaction
// under the import lock. Run at start-up (only when needed) and by `npm run catalog:import`.
//
// "Needed" is decided by a checksum of what the import would store (not only of the
// files): a change of the files or of the derivation rules or text helpers re-imports on
// the next start, as ADR 0004 asks ("the import recomputes specialties").
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildCatalogue, type Catalogue, type DerivationSummary } from './catalogue.ts';
import { AppError } from '@healthmatch/platform/errors';
import {
  CATALOG_SOURCE_INVALID,
  CATALOGUE_FILE,
  SPECIALTIES_FILE,
  parseCatalogueCsv,
  parseSpecialtiesCsv,
  type RejectedRow,
} from './csv-sources.ts';
import type { ApplyResult, CatalogueImportStore, ImportTrigger } from './ports.ts';
import type { UnresolvedRule } from './specialty-derivation.ts';

export const SOURCE_FILES = [CATALOGUE_FILE, SPECIALTIES_FILE] as const;

export interface ImportOptions {
  dataDir: string;
  trigger: ImportTrigger;
  /** Import even when the checksum says nothing changed (the import command does). */
  force?: boolean;
  now?: () => number;
}

/** What the import read, for logs and the command's report. */
export interface ImportReport {
  dataDir: string;
  sourceChecksum: string;
  contentChecksum: string;
  services: number;
  specialties: { outpatientBranches: number; hospitalDisciplines: number };
  /** Rows the readers refused (the first 50; `rejectedCount` has them all). */
  rejected: (RejectedRow & { file: string })[];
  rejectedCount: number;
  unresolvedRules: UnresolvedRule[];
  derivation: Omit<DerivationSummary, 'bySpecialty'>;
}

export type ImportOutcome =
  | { status: 'imported'; report: ImportReport; applied: ApplyResult; durationMs: number; readMs: number }
  | { status: 'unchanged'; report: ImportReport; durationMs: number; readMs: number }
  | { status: 'no-data'; dataDir: string; missing: string[] };

const REJECTED_IN_REPORT = 50;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The source files missing from `dataDir` (all of them when the folder itself is missing). */
export async function missingSources(dataDir: string): Promise<string[]> {
  const missing: string[] = [];
  for (const f of SOURCE_FILES) if (!(await exists(path.join(dataDir, f)))) missing.push(f);
  return missing;
}

const sha256 = (parts: readonly (string | Buffer)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\u0000');
  }
  return h.digest('hex');
};

/** A checksum of exactly what the import stores: specialties and services with their derived fields. */
export function contentChecksum(catalogue: Catalogue): string {
  const specialties = [...catalogue.specialties, ...catalogue.hospitalDisciplines].map((s) => [s.system, s.code, s.name, s.definition]);
  const services = catalogue.services.map((s) => [
    s.code,
    s.description,
    s.cleanDescription,
    s.name,
    s.searchText,
    s.specialty.specialtyCode,
    s.specialty.derivation,
    s.specialty.rule,
  ]);
  return sha256([JSON.stringify(specialties), JSON.stringify(services)]);
}

interface ReadSources {
  catalogue: Catalogue;
  report: ImportReport;
}

async function readSources(dataDir: string): Promise<ReadSources> {
  const cataloguePath = path.join(dataDir, CATALOGUE_FILE);
  const specialtiesPath = path.join(dataDir, SPECIALTIES_FILE);
  const read = (file: string) =>
    readFile(file).catch((e: unknown) => {
      throw new AppError(CATALOG_SOURCE_INVALID, `cannot read ${file}: ${(e as Error).message}`, { source: file });
    });
  const [catalogueText, specialtiesText] = await Promise.all([read(cataloguePath), read(specialtiesPath)]);
  const services = parseCatalogueCsv(catalogueText.toString('utf8'), cataloguePath);
  const specialties = parseSpecialtiesCsv(specialtiesText.toString('utf8'), specialtiesPath);
  const catalogue = buildCatalogue(services.records, specialties.records);
  const rejected = [
    ...specialties.rejected.map((r) => ({ ...r, file: SPECIALTIES_FILE })),
    ...services.rejected.map((r) => ({ ...r, file: CATALOGUE_FILE })),
  ];
  const { bySpecialty: _bySpecialty, ...derivation } = catalogue.summary;
  return {
    catalogue,
    report: {
      dataDir,
      sourceChecksum: sha256([catalogueText, specialtiesText]),
      contentChecksum: contentChecksum(catalogue),
      services: catalogue.services.length,
      specialties: { outpatientBranches: catalogue.specialties.length, hospitalDisciplines: catalogue.hospitalDisciplines.length },
      rejected: rejected.slice(0, REJECTED_IN_REPORT),
      rejectedCount: rejected.length,
      unresolvedRules: catalogue.unresolvedRules,
      derivation,
    },
  };
}

/**
 * Imports the catalogue from `dataDir`. Returns `no-data` (and touches nothing) when a
 * source file is missing; throws CATALOG_SOURCE_INVALID when one cannot be read.
 */
export async function importCatalogue(store: CatalogueImportStore, opts: ImportOptions): Promise<ImportOutcome> {
  const now = opts.now ?? Date.now;
  const started = now();
  const missing = await missingSources(opts.dataDir);
  if (missing.length > 0) return { status: 'no-data', dataDir: opts.dataDir, missing };
  const { catalogue, report } = await readSources(opts.dataDir);
  // Reading, parsing and deriving, before any database work.
  const readMs = now() - started;

  return store.withImportLock(async (tx) => {
    if (!opts.force) {
      const last = await tx.lastContentChecksum();
      if (last === report.contentChecksum && (await tx.countServices()) > 0) {
        return { status: 'unchanged' as const, report, durationMs: now() - started, readMs };
      }
    }
    const applied = await tx.apply(catalogue);
    const durationMs = now() - started;
    await tx.record({
      trigger: opts.trigger,
      sourceChecksum: report.sourceChecksum,
      contentChecksum: report.contentChecksum,
      services: report.services,
      specialties: report.specialties.outpatientBranches + report.specialties.hospitalDisciplines,
      inserted: applied.services.inserted,
      updated: applied.services.updated,
      retired: applied.services.retired,
      rejected: report.rejectedCount,
      report: { ...report, applied },
      durationMs,
    });
    return { status: 'imported' as const, report, applied, durationMs, readMs };
  });
}
