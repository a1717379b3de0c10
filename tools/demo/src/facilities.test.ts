import { afterEach, describe, expect, it } from 'vitest';
import { FacilityFileError, insideLazio, isRome, locate, parseCoordinate, parseFacilities, readFacilityFile } from './facilities.ts';
import { csvOf, dataDirWith, row } from './test-rows.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function readRows(content: string) {
  const d = await dataDirWith(content);
  cleanups.push(d.cleanup);
  return readFacilityFile(d.file);
}

describe('parseCoordinate', () => {
  it('reads decimal points and decimal commas', () => {
    expect(parseCoordinate('41.9040194')).toEqual({ ok: true, value: 41.9040194 });
    expect(parseCoordinate('41,9040194')).toEqual({ ok: true, value: 41.9040194 });
    expect(parseCoordinate(' 12,5 ')).toEqual({ ok: true, value: 12.5 });
    expect(parseCoordinate('-0.25')).toEqual({ ok: true, value: -0.25 });
    expect(parseCoordinate('42')).toEqual({ ok: true, value: 42 });
  });

  it('refuses what it would have to guess', () => {
    expect(parseCoordinate('')).toEqual({ ok: false, reason: 'empty' });
    expect(parseCoordinate(undefined)).toEqual({ ok: false, reason: 'empty' });
    for (const bad of ['41.904.019', '41,9,1', 'N41.9', '41.9°', '1234.5', 'abc', '.5']) {
      expect(parseCoordinate(bad), bad).toEqual({ ok: false, reason: 'unreadable' });
    }
  });
});

describe('coordinate filter', () => {
  it('keeps points in Lazio, islands included, and drops points elsewhere', () => {
    expect(insideLazio(41.9, 12.5)).toBe(true); // Rome
    expect(insideLazio(40.8, 13.42)).toBe(true); // Ventotene
    expect(insideLazio(42.74, 11.87)).toBe(true); // Acquapendente
    expect(insideLazio(44.7864, 10.8817)).toBe(false); // a Marino row geocoded near Reggio Emilia
    expect(insideLazio(45.46, 9.19)).toBe(false); // Milan
    expect(insideLazio(12.5, 41.9)).toBe(false); // lat and lon swapped
  });

  it('says why a row cannot be placed', () => {
    expect(locate('', '')).toMatchObject({ ok: false, reason: 'no-coordinates' });
    expect(locate('41.9', '')).toMatchObject({ ok: false, reason: 'no-coordinates' });
    expect(locate('41.9', 'dodici')).toMatchObject({ ok: false, reason: 'unreadable-coordinates' });
    expect(locate('44.7864466', '10.8817219')).toEqual({ ok: false, reason: 'outside-lazio', detail: '44.7864466, 10.8817219' });
    expect(locate('41,85', '12,61')).toEqual({ ok: true, lat: 41.85, lon: 12.61 });
  });
});

describe('readFacilityFile', () => {
  it('keeps active rows with coordinates in Lazio and counts every other row with its reason', async () => {
    const file = await readRows(
      csvOf([
        row({ N: '10' }),
        row({ N: '11', 'TIPO DI PROVVEDIMENTO': 'DECRETO DI REVOCA' }),
        row({ N: '12', 'TIPO DI PROVVEDIMENTO': 'DECRETO DI SOSPENSIONE' }),
        row({ N: '13', Latitude: '', Longitude: '' }),
        row({ N: '14', COMUNE: 'MARINO', Latitude: '44.7000001', Longitude: '10.8000001' }),
        row({ N: '15', Latitude: '41,7654321', Longitude: '12,6543210' }),
        row({ N: '16', Latitude: 'n.d.', Longitude: '12.5' }),
        row({ N: '10', 'NOME PRESIDIO': 'ALTRA RIGA CON LO STESSO N' }),
      ]),
    );
    expect(file.read).toBe(8);
    expect(file.active).toBe(6);
    expect(file.inactive).toEqual({ 'DECRETO DI REVOCA': 1, 'DECRETO DI SOSPENSIONE': 1 });
    expect(file.skipped.map((s) => [s.n, s.reason])).toEqual([
      ['13', 'no-coordinates'],
      ['14', 'outside-lazio'],
      ['16', 'unreadable-coordinates'],
      ['10', 'duplicate-n'],
    ]);
    expect(file.facilities.map((f) => f.n)).toEqual(['10', '15']);
    expect(file.facilities[1]).toMatchObject({ lat: 41.7654321, lon: 12.654321 });
  });

  it('reads quoted fields with commas, quotes and line breaks, a BOM and CRLF line ends', async () => {
    const file = await readRows(
      csvOf(
        [
          row({
            N: '20',
            ID_PR: '77XY',
            'NOME PRESIDIO': 'CENTRO "IL FARO", FISIOKINESITERAPIA',
            'RAGIONE SOCIALE': 'IL FARO\nS.R.L.',
            INDIRIZZO: 'VIA DEL MARE, 5',
            COMUNE: 'LATINA',
            CAP: '04100',
            Latitude: '41.4670000',
            Longitude: '12.9030000',
          }),
        ],
        { bom: true, eol: '\r\n' },
      ),
    );
    expect(file.facilities).toEqual([
      {
        n: '20',
        idPr: '77XY',
        asl: '101 RM/A',
        legalName: 'IL FARO S.R.L.',
        siteName: 'CENTRO "IL FARO", FISIOKINESITERAPIA',
        address: 'VIA DEL MARE, 5',
        comune: 'LATINA',
        cap: '04100',
        lat: 41.467,
        lon: 12.903,
      },
    ]);
  });

  it('takes the measure case-insensitively and needs a name', () => {
    const file = parseFacilities(csvOf([row({ N: '1', 'TIPO DI PROVVEDIMENTO': 'Decreto di Accreditamento' }), row({ N: '2', 'NOME PRESIDIO': '', 'RAGIONE SOCIALE': '' })]));
    expect(file.active).toBe(2);
    expect(file.facilities.map((f) => f.n)).toEqual(['1']);
    expect(file.skipped).toEqual([{ n: '2', reason: 'no-name', detail: 'neither NOME PRESIDIO nor RAGIONE SOCIALE' }]);
  });

  it('fails clearly on a missing file or a file of another shape', async () => {
    await expect(readFacilityFile('/nonexistent/folder/x.csv')).rejects.toThrow(/not found: set HEALTHMATCH_DATA_DIR/);
    await expect(readRows('codice,descrizione\n89.7A.3,VISITA\n')).rejects.toThrow(FacilityFileError);
    await expect(readRows('codice,descrizione\n89.7A.3,VISITA\n')).rejects.toThrow(/missing column\(s\) N, ID_PR/);
    await expect(readRows('N,ID_PR\n"1,2\n')).rejects.toThrow(/not readable CSV/);
  });

  it('knows Rome by its comune', () => {
    expect(isRome({ comune: 'ROMA' })).toBe(true);
    expect(isRome({ comune: ' Roma ' })).toBe(true);
    expect(isRome({ comune: 'ROCCA DI PAPA' })).toBe(false);
  });
});
