// Readers of the source CSV files, on small invented rows written to a temp directory.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@healthmatch/platform/errors';
import {
  CATALOGUE_FILE,
  CATALOG_SOURCE_INVALID,
  SPECIALTIES_FILE,
  outpatientBranches,
  parseCatalogueCsv,
  parseSpecialtiesCsv,
  readCatalogueCsv,
  readSpecialtiesCsv,
} from './csv-sources.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hm-catalog-csv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text, 'utf8');
  return file;
}

describe('readCatalogueCsv', () => {
  it('reads quoted commas, doubled quotes and line breaks inside fields', async () => {
    const file = await write(
      CATALOGUE_FILE,
      [
        'codice,descrizione',
        '11.11,VISITA DI PROVA',
        '22.22.A,"ESAME DI PROVA, CON VIRGOLA"',
        '33.3,"BIOPSIA ""ASSISTITA"" DI PROVA"',
        '44.44.1,"PRIMA RIGA',
        'SECONDA RIGA, CON VIRGOLA"',
        '55.5B.C,ULTIMA',
        '',
      ].join('\n'),
    );
    const { records, rejected } = await readCatalogueCsv(file);
    expect(rejected).toEqual([]);
    expect(records).toEqual([
      { code: '11.11', description: 'VISITA DI PROVA', line: 2 },
      { code: '22.22.A', description: 'ESAME DI PROVA, CON VIRGOLA', line: 3 },
      { code: '33.3', description: 'BIOPSIA "ASSISTITA" DI PROVA', line: 4 },
      { code: '44.44.1', description: 'PRIMA RIGA\nSECONDA RIGA, CON VIRGOLA', line: 5 },
      { code: '55.5B.C', description: 'ULTIMA', line: 7 },
    ]);
  });

  it('trims values and accepts a BOM, CRLF line ends and blank lines', () => {
    const text = '\uFEFFcodice , descrizione\r\n  11.11 ,  VISITA DI PROVA  \r\n\r\n"22.22"," ESAME "\r\n';
    const { records, rejected } = parseCatalogueCsv(text);
    expect(rejected).toEqual([]);
    expect(records.map((r) => [r.code, r.description, r.line])).toEqual([
      ['11.11', 'VISITA DI PROVA', 2],
      ['22.22', 'ESAME', 4],
    ]);
  });

  it('finds columns by name, whatever their order', () => {
    const { records } = parseCatalogueCsv('descrizione,codice\nVISITA DI PROVA,11.11\n');
    expect(records).toEqual([{ code: '11.11', description: 'VISITA DI PROVA', line: 2 }]);
  });

  it('collects invalid rows with a reason and keeps the valid ones', () => {
    const text = [
      'codice,descrizione',
      ',SENZA CODICE',
      '   ,"SOLO SPAZI NEL CODICE"',
      '11.11,VISITA DI PROVA',
      '11.11,DOPPIONE',
      '22.22,',
      'xx yy,CODICE NON VALIDO',
      '33.33,TROPPI,CAMPI',
      '44.44',
      '55.55,ESAME DI PROVA',
    ].join('\n');
    const { records, rejected } = parseCatalogueCsv(text);
    expect(records.map((r) => r.code)).toEqual(['11.11', '55.55']);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [2, 'empty-code'],
      [3, 'empty-code'],
      [5, 'duplicate-code'],
      [6, 'empty-description'],
      [7, 'malformed-code'],
      [8, 'column-count'],
      [9, 'column-count'],
    ]);
    expect(rejected[2]?.detail).toContain('line 4');
    expect(rejected[0]?.raw).toBe(',SENZA CODICE');
  });

  it('collects a row that breaks the CSV syntax instead of failing the whole file', () => {
    const text = ['codice,descrizione', '11.11,VISITA DI PROVA', '22.22,"CHIUSA"MALE', '33.33,ESAME DI PROVA'].join('\n');
    const { records, rejected } = parseCatalogueCsv(text);
    expect(records.map((r) => r.code)).toContain('11.11');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]).toMatchObject({ reason: 'csv-syntax', line: 3 });
  });

  it('refuses a file whose header lacks a required column', () => {
    expect(() => parseCatalogueCsv('code,description\n11.11,VISITA\n')).toThrowError(AppError);
    const error = ((): unknown => {
      try {
        parseCatalogueCsv('codice,nome\n11.11,VISITA\n', 'prova.csv');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: CATALOG_SOURCE_INVALID, detail: expect.stringMatching(/prova\.csv.*missing descrizione/) });
    expect(() => parseCatalogueCsv('')).toThrowError(/missing codice, descrizione/);
  });

  it('reports a missing file as a source error', async () => {
    await expect(readCatalogueCsv(path.join(dir, 'assente.csv'))).rejects.toMatchObject({ code: CATALOG_SOURCE_INVALID });
  });
});

describe('readSpecialtiesCsv', () => {
  const text = [
    'sistema,codice,descrizione,definizione',
    'branca_specialistica_ambulatoriale,A1,Cardiologia di prova,',
    'branca_specialistica_ambulatoriale,A2,"Radiologia, prova",',
    'disciplina_ospedaliera,A1,Cardiologia di reparto,"Reparto di prova - Non include, per esempio, la ""terapia"""',
    'disciplina_ospedaliera,B7,Reparto di prova,"Prima riga',
    'seconda riga"',
    'branca_specialistica_ambulatoriale,A1,Doppione,',
    'sistema_ignoto,Z1,Ignota,',
    'disciplina_ospedaliera,,Senza codice,',
    'branca_specialistica_ambulatoriale,A3,,',
    '',
  ].join('\n');

  it('reads both systems, trims and types them, and keeps definitions with commas and quotes', async () => {
    const { records } = await readSpecialtiesCsv(await write(SPECIALTIES_FILE, text));
    expect(records).toEqual([
      { system: 'branca_specialistica_ambulatoriale', code: 'A1', name: 'Cardiologia di prova', definition: null, line: 2 },
      { system: 'branca_specialistica_ambulatoriale', code: 'A2', name: 'Radiologia, prova', definition: null, line: 3 },
      {
        system: 'disciplina_ospedaliera',
        code: 'A1',
        name: 'Cardiologia di reparto',
        definition: 'Reparto di prova - Non include, per esempio, la "terapia"',
        line: 4,
      },
      { system: 'disciplina_ospedaliera', code: 'B7', name: 'Reparto di prova', definition: 'Prima riga\nseconda riga', line: 5 },
    ]);
  });

  it('collects duplicates within a system, unknown systems, empty codes and names', () => {
    const { rejected } = parseSpecialtiesCsv(text);
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [7, 'duplicate-code'],
      [8, 'unknown-system'],
      [9, 'empty-code'],
      [10, 'empty-description'],
    ]);
  });

  it('accepts a file without the optional definizione column', () => {
    const { records } = parseSpecialtiesCsv('sistema,codice,descrizione\nbranca_specialistica_ambulatoriale,A1,Prova\n');
    expect(records).toEqual([{ system: 'branca_specialistica_ambulatoriale', code: 'A1', name: 'Prova', definition: null, line: 2 }]);
  });

  it('outpatientBranches keeps only the outpatient branches, in source order', () => {
    const { records } = parseSpecialtiesCsv(text);
    expect(outpatientBranches(records).map((s) => s.code)).toEqual(['A1', 'A2']);
  });
});
