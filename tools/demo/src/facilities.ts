// Reads lazio_strutture_sanitarie_private_accreditate.csv (Regione Lazio open data, about
// 2014) and keeps the facilities a demo can use: accredited (TIPO DI PROVVEDIMENTO =
// DECRETO DI ACCREDITAMENTO) and with coordinates inside Lazio. Every other row is counted
// with the reason it was left out, so the summary can say what happened to all of them.
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';

export const FACILITIES_FILE = 'lazio_strutture_sanitarie_private_accreditate.csv';

export const COLUMNS = [
  'N',
  'ID_PR',
  'ASL',
  'RAGIONE SOCIALE',
  'PARTITA IVA',
  'NOME PRESIDIO',
  'DECRETI',
  'TIPO DI PROVVEDIMENTO',
  'INDIRIZZO',
  'COMUNE',
  'CAP',
  'Latitude',
  'Longitude',
] as const;
type Column = (typeof COLUMNS)[number];

export const ACTIVE_MEASURE = 'DECRETO DI ACCREDITAMENTO';

/**
 * A generous box around Lazio, islands (Ponza, Ventotene) included: lat 40.78..42.84,
 * lon 11.45..14.03, plus a little margin. Catches rows geocoded to another region, such
 * as N=727 (Marino, placed near Reggio Emilia), and swapped lat/lon.
 */
export const LAZIO_BBOX = { minLat: 40.7, maxLat: 42.9, minLon: 11.4, maxLon: 14.1 } as const;

export interface Facility {
  /** N: the row's number in the source, unique; the demo account is keyed by it. */
  n: string;
  /** ID_PR: the regional facility id; not unique (one id may cover several sites). */
  idPr: string;
  asl: string;
  legalName: string;
  siteName: string;
  address: string;
  comune: string;
  cap: string;
  lat: number;
  lon: number;
}

export type SkipReason = 'no-coordinates' | 'unreadable-coordinates' | 'outside-lazio' | 'no-name' | 'duplicate-n';

export const SKIP_REASON_TEXT: Record<SkipReason, string> = {
  'no-coordinates': 'no coordinates',
  'unreadable-coordinates': 'unreadable coordinates',
  'outside-lazio': 'coordinates outside Lazio',
  'no-name': 'no name',
  'duplicate-n': 'duplicate N',
};

export interface SkippedRow {
  n: string;
  reason: SkipReason;
  detail: string;
}

export interface FacilityFile {
  /** Data rows read (header excluded). */
  read: number;
  /** Rows with TIPO DI PROVVEDIMENTO = DECRETO DI ACCREDITAMENTO. */
  active: number;
  /** Rows not active, by their TIPO DI PROVVEDIMENTO. */
  inactive: Record<string, number>;
  /** Active rows left out, with the reason. */
  skipped: SkippedRow[];
  /** Active, located facilities in file order. */
  facilities: Facility[];
}

export type CoordinateParse = { ok: true; value: number } | { ok: false; reason: 'empty' | 'unreadable' };

/**
 * A coordinate as the file may write it: `41.9040194`, or with a decimal comma
 * (`41,9040194`, as Italian spreadsheets export it). Anything else (thousands separators,
 * two separators, letters) is unreadable rather than guessed.
 */
export function parseCoordinate(raw: string | undefined): CoordinateParse {
  const s = (raw ?? '').trim().replace(/\s+/g, '');
  if (s === '') return { ok: false, reason: 'empty' };
  const m = /^([+-]?\d{1,3})(?:[.,](\d+))?$/.exec(s);
  if (!m) return { ok: false, reason: 'unreadable' };
  const value = Number(m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`);
  return Number.isFinite(value) ? { ok: true, value } : { ok: false, reason: 'unreadable' };
}

export function insideLazio(lat: number, lon: number): boolean {
  const b = LAZIO_BBOX;
  return lat >= b.minLat && lat <= b.maxLat && lon >= b.minLon && lon <= b.maxLon;
}

/** Collapses whitespace (fields may hold line breaks) and trims. */
const clean = (s: string | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

export type LocateResult = { ok: true; lat: number; lon: number } | { ok: false; reason: SkipReason; detail: string };

/** The coordinates of a row, or why it cannot be placed on the map. */
export function locate(latRaw: string | undefined, lonRaw: string | undefined): LocateResult {
  const lat = parseCoordinate(latRaw);
  const lon = parseCoordinate(lonRaw);
  if (!lat.ok || !lon.ok) {
    const empty = (!lat.ok && lat.reason === 'empty') || (!lon.ok && lon.reason === 'empty');
    return {
      ok: false,
      reason: empty ? 'no-coordinates' : 'unreadable-coordinates',
      detail: `Latitude "${clean(latRaw)}", Longitude "${clean(lonRaw)}"`,
    };
  }
  if (!insideLazio(lat.value, lon.value)) {
    return { ok: false, reason: 'outside-lazio', detail: `${lat.value}, ${lon.value}` };
  }
  return { ok: true, lat: lat.value, lon: lon.value };
}

export class FacilityFileError extends Error {}

/** Parses the file's text (see readFacilityFile). */
export function parseFacilities(text: string): FacilityFile {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: false, trim: false });
  } catch (err) {
    throw new FacilityFileError(`${FACILITIES_FILE} is not readable CSV: ${(err as Error).message}`);
  }
  const header = records[0] ? Object.keys(records[0]) : [];
  const missing = COLUMNS.filter((c) => !header.includes(c));
  if (records.length > 0 && missing.length > 0) {
    throw new FacilityFileError(`${FACILITIES_FILE}: missing column(s) ${missing.join(', ')}; found ${header.join(', ')}`);
  }

  const out: FacilityFile = { read: records.length, active: 0, inactive: {}, skipped: [], facilities: [] };
  const seen = new Set<string>();
  for (const record of records) {
    const get = (c: Column) => clean(record[c]);
    const measure = get('TIPO DI PROVVEDIMENTO');
    if (measure.toUpperCase() !== ACTIVE_MEASURE) {
      const key = measure || '(empty)';
      out.inactive[key] = (out.inactive[key] ?? 0) + 1;
      continue;
    }
    out.active++;
    const n = get('N');
    const skip = (reason: SkipReason, detail: string) => out.skipped.push({ n, reason, detail });
    if (n === '' || seen.has(n)) {
      skip('duplicate-n', n === '' ? 'empty N' : `N=${n} appears again`);
      continue;
    }
    seen.add(n);
    const siteName = get('NOME PRESIDIO');
    const legalName = get('RAGIONE SOCIALE');
    if (siteName === '' && legalName === '') {
      skip('no-name', 'neither NOME PRESIDIO nor RAGIONE SOCIALE');
      continue;
    }
    const where = locate(record.Latitude, record.Longitude);
    if (!where.ok) {
      skip(where.reason, where.detail);
      continue;
    }
    out.facilities.push({
      n,
      idPr: get('ID_PR'),
      asl: get('ASL'),
      legalName,
      siteName,
      address: get('INDIRIZZO'),
      comune: get('COMUNE'),
      cap: get('CAP'),
      lat: where.lat,
      lon: where.lon,
    });
  }
  return out;
}

/** Reads and parses the facilities file of a data folder. */
export async function readFacilityFile(file: string): Promise<FacilityFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FacilityFileError(
      code === 'ENOENT'
        ? `${file} not found: set HEALTHMATCH_DATA_DIR to the folder of the public data files`
        : `${file} cannot be read: ${(err as Error).message}`,
    );
  }
  return parseFacilities(text);
}

/** The comune, normalised for comparisons ("Roma", " ROMA " -> "ROMA"). */
export const isRome = (f: Pick<Facility, 'comune'>): boolean => f.comune.trim().toUpperCase() === 'ROMA';
