// Readers of the two public source files of the catalogue (see ../shared/data/README.md):
//   it_catalogo_nazionale_prestazioni.csv   codice,descrizione
//   it_specialita_branche_discipline.csv    sistema,codice,descrizione,definizione
// Both are UTF-8 CSV whose fields hold commas, quotes and line breaks, so a real CSV parser
// reads them. A bad row never stops an import: it is returned in `rejected` with its line
// and a reason, and the good rows still come back. Only a file whose header lacks a
// required column is refused as a whole (nothing in it could be read correctly).
//
// The parse* functions take the file's text (tests feed invented rows); the read*
// functions take a path chosen by the caller (the data directory is configuration).
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { AppError } from '@healthmatch/platform/errors';

export const CATALOGUE_FILE = 'it_catalogo_nazionale_prestazioni.csv';
export const SPECIALTIES_FILE = 'it_specialita_branche_discipline.csv';

/** One service of the national catalogue (LEA "nuovo nomenclatore"). */
export interface CatalogueRecord {
  /** e.g. "89.7A.3"; unique in the file. */
  code: string;
  /** The official description, trimmed, otherwise as given (typos and line breaks kept). */
  description: string;
  /** Line of the source file where the row starts (1-based, header is line 1). */
  line: number;
}

export const SPECIALTY_SYSTEMS = ['branca_specialistica_ambulatoriale', 'disciplina_ospedaliera'] as const;
/** Outpatient specialist branch, or hospital discipline. */
export type SpecialtySystem = (typeof SPECIALTY_SYSTEMS)[number];
export const OUTPATIENT_BRANCH: SpecialtySystem = 'branca_specialistica_ambulatoriale';
export const HOSPITAL_DISCIPLINE: SpecialtySystem = 'disciplina_ospedaliera';

/** One row of the specialty file. Codes are unique per system only ("02" exists in both). */
export interface SpecialtyRecord {
  system: SpecialtySystem;
  /** e.g. "02"; as given, leading zero kept. */
  code: string;
  /** e.g. "Cardiologia"; as given (source typos kept). */
  name: string;
  /** Longer definition (hospital disciplines); null when the source leaves it empty. */
  definition: string | null;
  line: number;
}

export type RejectReason =
  | 'csv-syntax'
  | 'column-count'
  | 'empty-code'
  | 'malformed-code'
  | 'empty-description'
  | 'duplicate-code'
  | 'unknown-system';

export interface RejectedRow {
  line: number;
  reason: RejectReason;
  /** Human-readable detail, e.g. which code is duplicated. */
  detail: string;
  /** The row's source text (at most 300 characters), for the import report. */
  raw: string;
}

export interface SourceReadResult<T> {
  records: T[];
  rejected: RejectedRow[];
}

/** Error code of a source file that cannot be read at all (wrong header, unreadable). */
export const CATALOG_SOURCE_INVALID = 'CATALOG_SOURCE_INVALID';

// Codes of the nomenclator: "03.8", "89.7A.3", "91.5R.K", "G1.01"; upper-case letters and
// digits in dot-separated groups.
const SERVICE_CODE = /^[0-9A-Z]{1,3}(?:\.[0-9A-Z]{1,3}){0,3}$/;
const RAW_MAX = 300;

interface Row {
  fields: string[];
  line: number;
  raw: string;
}

function excerpt(raw: string): string {
  const s = raw.replace(/^[\r\n]+/, '').replace(/\r?\n$/, '');
  return s.length > RAW_MAX ? `${s.slice(0, RAW_MAX)}…` : s;
}

/** Parses CSV text into rows (header included); syntax errors become rejected rows. */
function parseRows(text: string, source: string): { rows: Row[]; rejected: RejectedRow[] } {
  const rejected: RejectedRow[] = [];
  let parsed: { record: string[]; info: { lines: number }; raw: string }[];
  try {
    parsed = parse(text, {
      bom: true,
      info: true,
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err, raw) => {
        rejected.push({
          line: typeof err?.lines === 'number' ? err.lines : 0,
          reason: 'csv-syntax',
          detail: err?.message ?? 'unreadable record',
          raw: excerpt(raw ?? ''),
        });
        return undefined;
      },
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
  } catch (e) {
    throw new AppError(CATALOG_SOURCE_INVALID, `${source}: ${(e as Error).message}`, { source });
  }
  const rows = parsed.map(({ record, info, raw }) => {
    // info.lines is the line where the record ends; count back over its own line breaks.
    const body = raw.replace(/^(?:\r?\n)+/, '').replace(/\r?\n$/, '');
    const breaks = body.match(/\n/g)?.length ?? 0;
    return { fields: record, line: info.lines - breaks, raw };
  });
  return { rows, rejected };
}

/** Maps required column names to their index; throws when one is missing. */
function columnIndex(header: Row | undefined, required: readonly string[], source: string): Map<string, number> {
  const names = (header?.fields ?? []).map((h) => h.replace(/^\uFEFF/, '').trim().toLowerCase());
  const index = new Map<string, number>();
  names.forEach((n, i) => {
    if (!index.has(n)) index.set(n, i);
  });
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new AppError(
      CATALOG_SOURCE_INVALID,
      `${source}: header must name the columns ${required.join(', ')}; missing ${missing.join(', ')}`,
      { source, missing },
    );
  }
  return index;
}

function field(row: Row, index: Map<string, number>, column: string): string | undefined {
  const i = index.get(column);
  return i === undefined ? undefined : row.fields[i]?.trim();
}

function reject(row: Row, reason: RejectReason, detail: string): RejectedRow {
  return { line: row.line, reason, detail, raw: excerpt(row.raw) };
}

function byLine(a: RejectedRow, b: RejectedRow): number {
  return a.line - b.line;
}

/** Reads the service catalogue from CSV text (columns codice, descrizione). */
export function parseCatalogueCsv(text: string, source = CATALOGUE_FILE): SourceReadResult<CatalogueRecord> {
  const { rows, rejected } = parseRows(text, source);
  const [header, ...data] = rows;
  const index = columnIndex(header, ['codice', 'descrizione'], source);
  const width = header?.fields.length ?? 0;
  const records: CatalogueRecord[] = [];
  const seen = new Map<string, number>();
  for (const row of data) {
    const code = field(row, index, 'codice') ?? '';
    const description = field(row, index, 'descrizione') ?? '';
    if (row.fields.length !== width) {
      rejected.push(reject(row, 'column-count', `expected ${width} fields, found ${row.fields.length}`));
    } else if (code === '') {
      rejected.push(reject(row, 'empty-code', 'codice is empty'));
    } else if (!SERVICE_CODE.test(code)) {
      rejected.push(reject(row, 'malformed-code', `codice "${code}" is not a nomenclator code`));
    } else if (description === '') {
      rejected.push(reject(row, 'empty-description', `descrizione of ${code} is empty`));
    } else if (seen.has(code)) {
      rejected.push(reject(row, 'duplicate-code', `codice ${code} already on line ${seen.get(code)}`));
    } else {
      seen.set(code, row.line);
      records.push({ code, description, line: row.line });
    }
  }
  return { records, rejected: rejected.sort(byLine) };
}

function isSystem(s: string): s is SpecialtySystem {
  return (SPECIALTY_SYSTEMS as readonly string[]).includes(s);
}

/** Reads specialties from CSV text (columns sistema, codice, descrizione, definizione). */
export function parseSpecialtiesCsv(text: string, source = SPECIALTIES_FILE): SourceReadResult<SpecialtyRecord> {
  const { rows, rejected } = parseRows(text, source);
  const [header, ...data] = rows;
  const index = columnIndex(header, ['sistema', 'codice', 'descrizione'], source);
  const width = header?.fields.length ?? 0;
  const records: SpecialtyRecord[] = [];
  const seen = new Map<string, number>();
  for (const row of data) {
    const system = field(row, index, 'sistema') ?? '';
    const code = field(row, index, 'codice') ?? '';
    const name = field(row, index, 'descrizione') ?? '';
    const definition = field(row, index, 'definizione') ?? '';
    const key = `${system}/${code}`;
    if (row.fields.length !== width) {
      rejected.push(reject(row, 'column-count', `expected ${width} fields, found ${row.fields.length}`));
    } else if (code === '') {
      rejected.push(reject(row, 'empty-code', 'codice is empty'));
    } else if (!isSystem(system)) {
      rejected.push(reject(row, 'unknown-system', `sistema "${system}" is not one of ${SPECIALTY_SYSTEMS.join(', ')}`));
    } else if (/\s/.test(code)) {
      rejected.push(reject(row, 'malformed-code', `codice "${code}" contains spaces`));
    } else if (name === '') {
      rejected.push(reject(row, 'empty-description', `descrizione of ${key} is empty`));
    } else if (seen.has(key)) {
      rejected.push(reject(row, 'duplicate-code', `${key} already on line ${seen.get(key)}`));
    } else {
      seen.set(key, row.line);
      records.push({ system, code, name, definition: definition === '' ? null : definition, line: row.line });
    }
  }
  return { records, rejected: rejected.sort(byLine) };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new AppError(CATALOG_SOURCE_INVALID, `cannot read ${path}: ${(e as Error).message}`, { source: path });
  }
}

/** Reads the catalogue file at `path` (e.g. `${dataDir}/${CATALOGUE_FILE}`). */
export async function readCatalogueCsv(path: string): Promise<SourceReadResult<CatalogueRecord>> {
  return parseCatalogueCsv(await readText(path), path);
}

/** Reads the specialty file at `path` (e.g. `${dataDir}/${SPECIALTIES_FILE}`). */
export async function readSpecialtiesCsv(path: string): Promise<SourceReadResult<SpecialtyRecord>> {
  return parseSpecialtiesCsv(await readText(path), path);
}

/** The outpatient branches (HealthMatch's specialty list), in source order. */
export function outpatientBranches(specialties: readonly SpecialtyRecord[]): SpecialtyRecord[] {
  return specialties.filter((s) => s.system === OUTPATIENT_BRANCH);
}
