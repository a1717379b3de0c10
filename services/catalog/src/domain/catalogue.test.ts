// From parsed (invented) source rows to stored services, and search over them.
import { describe, expect, it } from 'vitest';
import { buildCatalogue, summarizeDerivations, toCatalogueService } from './catalogue.ts';
import { parseCatalogueCsv, parseSpecialtiesCsv } from './csv-sources.ts';
import { matchesTokens, searchTokens } from './text.ts';

const SPECIALTIES_CSV = [
  'sistema,codice,descrizione,definizione',
  'branca_specialistica_ambulatoriale,B1,Cardiologia,',
  'branca_specialistica_ambulatoriale,B2,Oculistica,',
  'branca_specialistica_ambulatoriale,B3,Diagnostica - Radiologia diagnostica,',
  'branca_specialistica_ambulatoriale,B4,Lab. analisi di prova - MicrobiologiaImmunologia,',
  'branca_specialistica_ambulatoriale,B9,Altro,',
  'disciplina_ospedaliera,H1,Cardiologia,"Reparto di prova, con virgola"',
].join('\n');

const CATALOGUE_CSV = [
  'codice,descrizione',
  '89.9A.1,"PRMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG (89.00)"',
  '89.9A.2,VISITA OCULISTICA DI CONTROLLO BREVE',
  '88.99.1,"ECOGRAFIA DELL\'ADDOME, DI PROVA"',
  '90.99.1,DOSAGGIO DI PROVA [U]',
  '89.9A.3,PRIMA VISITA',
  ',RIGA SENZA CODICE',
].join('\n');

function build() {
  const services = parseCatalogueCsv(CATALOGUE_CSV);
  const specialties = parseSpecialtiesCsv(SPECIALTIES_CSV);
  return { catalogue: buildCatalogue(services.records, specialties.records), rejected: services.rejected };
}

describe('buildCatalogue', () => {
  it('keeps the original description, typos included, and adds name, clean text and search text with known typos corrected', () => {
    const { catalogue } = build();
    expect(catalogue.services[0]).toEqual({
      code: '89.9A.1',
      description: 'PRMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG (89.00)',
      cleanDescription: 'PRIMA VISITA CARDIOLOGICA DI PROVA. Incluso: ECG (89.00)',
      name: 'Prima visita cardiologica di prova',
      searchText: '89 9a 1 prima visita cardiologica di prova incluso ecg 89 00',
      specialty: { specialtyCode: 'B1', specialtyName: 'Cardiologia', derivation: 'keyword', rule: 'cardiology: keyword "CARDIOLOG"' },
    });
  });

  it('derives specialties, visibly, and leaves generic services without one', () => {
    const { catalogue, rejected } = build();
    expect(rejected).toHaveLength(1);
    expect(catalogue.services.map((s) => [s.code, s.specialty.specialtyCode, s.specialty.derivation])).toEqual([
      ['89.9A.1', 'B1', 'keyword'],
      ['89.9A.2', 'B2', 'keyword'],
      ['88.99.1', 'B3', 'code-prefix'],
      ['90.99.1', 'B4', 'code-prefix'],
      ['89.9A.3', null, null],
    ]);
  });

  it('lists outpatient branches as specialties and keeps hospital disciplines apart', () => {
    const { catalogue } = build();
    expect(catalogue.specialties.map((s) => s.code)).toEqual(['B1', 'B2', 'B3', 'B4', 'B9']);
    expect(catalogue.specialties.every((s) => s.system === 'branca_specialistica_ambulatoriale')).toBe(true);
    expect(catalogue.hospitalDisciplines).toEqual([
      { system: 'disciplina_ospedaliera', code: 'H1', name: 'Cardiologia', definition: 'Reparto di prova, con virgola', searchText: 'cardiologia' },
    ]);
    // Name as given; search text repairs the glued words.
    expect(catalogue.specialties[3]).toMatchObject({ name: 'Lab. analisi di prova - MicrobiologiaImmunologia', searchText: 'lab analisi di prova microbiologia immunologia' });
  });

  it('summarises coverage per kind and per branch', () => {
    const { catalogue } = build();
    expect(catalogue.summary).toEqual({
      total: 5,
      derived: 4,
      unmatched: 1,
      byKind: { keyword: 2, 'code-prefix': 2 },
      bySpecialty: [
        { code: 'B1', name: 'Cardiologia', services: 1 },
        { code: 'B2', name: 'Oculistica', services: 1 },
        { code: 'B3', name: 'Diagnostica - Radiologia diagnostica', services: 1 },
        { code: 'B4', name: 'Lab. analisi di prova - MicrobiologiaImmunologia', services: 1 },
        { code: 'B9', name: 'Altro', services: 0 },
      ],
    });
    expect(catalogue.unresolvedRules.map((u) => u.id)).toContain('chapter-rehabilitation');
  });

  it('summarizeDerivations counts an empty list', () => {
    expect(summarizeDerivations([], [])).toEqual({ total: 0, derived: 0, unmatched: 0, byKind: { keyword: 0, 'code-prefix': 0 }, bySpecialty: [] });
  });
});

describe('search over built services', () => {
  const { catalogue } = build();
  const find = (q: string): string[] => {
    const tokens = searchTokens(q);
    return catalogue.services.filter((s) => matchesTokens(tokens, s.searchText)).map((s) => s.code);
  };

  it('finds services by word prefixes in any order', () => {
    expect(find('cardiolog')).toEqual(['89.9A.1']);
    expect(find('visita oculistica')).toEqual(['89.9A.2']);
    expect(find('oculist visit')).toEqual(['89.9A.2']);
    expect(find('visita')).toEqual(['89.9A.1', '89.9A.2', '89.9A.3']);
  });

  it('finds a service published with a typo by the right spelling ("PRMA VISITA")', () => {
    expect(find('prima visita cardiologica')).toEqual(['89.9A.1']);
    expect(find('prima visita cardiolog')).toEqual(['89.9A.1']);
    expect(find('prima visita')).toEqual(['89.9A.1', '89.9A.3']);
  });

  it('ignores case, accents, punctuation and stop words', () => {
    expect(find("Ecografìa dell'ADDOME")).toEqual(['88.99.1']);
  });

  it('finds a service by its code', () => {
    expect(find('88.99.1')).toEqual(['88.99.1']);
  });

  it('toCatalogueService works on one record', () => {
    const s = toCatalogueService({ code: '11.11', description: 'ESAME DEL VISUSPer prova' }, { specialtyCode: null, specialtyName: null, derivation: null, rule: 'unmatched' });
    expect(s).toMatchObject({ cleanDescription: 'ESAME DEL VISUS Per prova', name: 'Esame del visus', searchText: '11 11 esame del visus per prova' });
  });
});
