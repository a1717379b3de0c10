// Invented rows in the format of lazio_strutture_sanitarie_private_accreditate.csv, for the
// tests (never copies of the real data: names, VAT numbers and addresses are made up).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COLUMNS, FACILITIES_FILE } from './facilities.ts';

export type Row = Partial<Record<(typeof COLUMNS)[number], string>>;

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function row(overrides: Row): Row {
  return {
    N: '1',
    ID_PR: '9001',
    ASL: '101 RM/A',
    'RAGIONE SOCIALE': 'ESEMPIO SANITA S.R.L.',
    'PARTITA IVA': '00000000000',
    'NOME PRESIDIO': 'LABORATORIO ANALISI ESEMPIO',
    DECRETI: 'U00000/12',
    'TIPO DI PROVVEDIMENTO': 'DECRETO DI ACCREDITAMENTO',
    INDIRIZZO: 'VIA DI PROVA, 1',
    COMUNE: 'ROMA',
    CAP: '00100',
    Latitude: '41.9000000',
    Longitude: '12.5000000',
    ...overrides,
  };
}

export function csvOf(rows: Row[], opts: { bom?: boolean; eol?: string } = {}): string {
  const eol = opts.eol ?? '\n';
  const lines = [COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => quote(r[c] ?? '')).join(','))];
  return (opts.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}

/** Writes the rows as the facilities file of a fresh temporary data folder. */
export async function dataDirWith(content: string): Promise<{ dir: string; file: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hm-demo-'));
  const file = path.join(dir, FACILITIES_FILE);
  await writeFile(file, content, 'utf8');
  return { dir, file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
