// Derivation rules on invented descriptions. The specialty list is invented too: its codes
// differ from the real file's on purpose, to show that rules find branches by name.
import { describe, expect, it } from 'vitest';
import type { SpecialtyRecord } from './csv-sources.ts';
import { DERIVATION_RULES, createSpecialtyDeriver, keywordPattern, type DerivationRule } from './specialty-derivation.ts';

const branch = (code: string, name: string): SpecialtyRecord => ({
  system: 'branca_specialistica_ambulatoriale',
  code,
  name,
  definition: null,
  line: 0,
});

const SPECIALTIES: SpecialtyRecord[] = [
  branch('K1', 'Cardiologia'),
  branch('K2', 'Oculistica'),
  branch('K3', 'Imaging - Radiologia diagnostica'),
  branch('K4', 'Imaging - Medicina nucleare'),
  branch('K5', 'Lab. analisi di prova - Genetica'),
  branch('K6', 'Medicina fisica e riabilitazione - Recupero funzionale'),
  branch('K7', 'Ostetricia e ginecologia'),
  branch('K8', 'Dermosifilopatia'),
  branch('K9', 'Oncologia'),
  branch('K10', 'Ortopedia e traumatologia'),
  branch('K11', 'Chirurgia generale'),
  branch('K12', 'Altro'),
  // A hospital discipline with the same name must never be a target.
  { system: 'disciplina_ospedaliera', code: 'H1', name: 'Cardiologia', definition: 'Reparto', line: 0 },
];

const deriver = createSpecialtyDeriver(SPECIALTIES);
const derive = (code: string, description: string) => deriver.derive({ code, description });

describe('keyword rules', () => {
  it('derive the branch from words of the description', () => {
    expect(derive('89.99.1', 'PRIMA VISITA CARDIOLOGICA PEDIATRICA')).toEqual({
      specialtyCode: 'K1',
      specialtyName: 'Cardiologia',
      derivation: 'keyword',
      rule: 'cardiology: keyword "CARDIOLOG"',
    });
    expect(derive('89.99.2', 'ELETTROCARDIOGRAMMA DA SFORZO RIDOTTO')).toMatchObject({ specialtyCode: 'K1', derivation: 'keyword' });
    expect(derive('89.99.3', 'CONTROLLO DEL PACE-MAKER A DOMICILIO')).toMatchObject({ specialtyCode: 'K1', rule: 'cardiology: keyword "PACE MAKER"' });
    expect(derive('89.99.4', 'VISITA OCULISTICA BREVE')).toMatchObject({ specialtyCode: 'K2', derivation: 'keyword' });
    expect(derive('95.99', 'ESAME DEL FONDO OCULARE IN MIDRIASI')).toMatchObject({ specialtyCode: 'K2', derivation: 'keyword' });
  });

  it('beat the radiology chapter for cardiac and obstetric ultrasound', () => {
    expect(derive('88.99.A', 'ECOCARDIOGRAFIA DI PROVA')).toMatchObject({ specialtyCode: 'K1', rule: 'cardiac-ultrasound: keyword "ECOCARDIO"' });
    expect(derive('88.99.B', 'ECO(COLOR)DOPPLERGRAFIA CARDIACA DA SFORZO')).toMatchObject({ specialtyCode: 'K1', derivation: 'keyword' });
    expect(derive('88.99.C', 'ECOGRAFIA OSTETRICA DEL TERZO TRIMESTRE')).toMatchObject({ specialtyCode: 'K7', derivation: 'keyword' });
  });

  it('work on any case and with accents', () => {
    expect(derive('89.99.5', 'visita oculìstica di controllo')).toMatchObject({ specialtyCode: 'K2' });
    expect(derive('89.99.6', 'Visita Cardiològica')).toMatchObject({ specialtyCode: 'K1' });
  });

  it('read only the title, never the appended notes', () => {
    const notes = derive('99.99.9', 'INTERVENTO DI PROVA. Incluso: visita cardiologica ed ECG');
    expect(notes).toEqual({ specialtyCode: null, specialtyName: null, derivation: null, rule: 'unmatched' });
    expect(derive('99.99.8', 'INTERVENTO DI PROVA Non associabile a VISITA OCULISTICA').specialtyCode).toBeNull();
  });

  it('match stems at the start of a word only, and "$" stems as whole words', () => {
    // "CHEMIOTERAP" (oncology) must not fire inside FOTOCHEMIOTERAPIA (dermatology).
    expect(derive('99.99.1', 'FOTOCHEMIOTERAPIA DI PROVA')).toMatchObject({ specialtyCode: 'K8' });
    expect(derive('99.99.2', 'CHEMIOTERAPIA DI PROVA')).toMatchObject({ specialtyCode: 'K9' });
    // "PET$" (nuclear medicine) must not fire on PETTORALE.
    expect(derive('83.99', 'BIOPSIA DEL MUSCOLO PETTORALE')).toMatchObject({ specialtyCode: 'K10', derivation: 'code-prefix' });
    expect(derive('99.99.3', 'STUDIO PET DI PROVA')).toMatchObject({ specialtyCode: 'K4', derivation: 'keyword' });
  });
});

describe('code-prefix rules', () => {
  it('map imaging, laboratory and rehabilitation chapters', () => {
    expect(derive('88.11.1', 'ECOGRAFIA DEL GOMITO')).toEqual({
      specialtyCode: 'K3',
      specialtyName: 'Imaging - Radiologia diagnostica',
      derivation: 'code-prefix',
      rule: 'chapter-radiology: code 88.',
    });
    expect(derive('87.11', 'RX DEL DITO')).toMatchObject({ specialtyCode: 'K3', derivation: 'code-prefix' });
    expect(derive('88.90.Z', 'RM DEL GINOCCHIO')).toMatchObject({ specialtyCode: 'K3' });
    expect(derive('90.00.1', 'DOSAGGIO DI PROVA')).toMatchObject({ specialtyCode: 'K5', rule: 'chapter-laboratory: code 90.' });
    expect(derive('91.00.1', 'ANTICORPI DI PROVA')).toMatchObject({ specialtyCode: 'K5', derivation: 'code-prefix' });
    expect(derive('93.00.1', 'ESERCIZI DI EQUILIBRIO')).toMatchObject({ specialtyCode: 'K6', rule: 'chapter-rehabilitation: code 93.' });
  });

  it('lose to an earlier keyword rule, and win over a later one', () => {
    // Laboratory codes stay laboratory even when their words name an organ.
    expect(derive('90.00.2', 'MARCATORE CARDIOLOGICO DI PROVA')).toMatchObject({ specialtyCode: 'K5', derivation: 'code-prefix' });
    // Eye-chapter surgery without eye words still goes to ophthalmology by its chapter.
    expect(derive('12.99', 'INTERVENTO DI PROVA')).toMatchObject({ specialtyCode: 'K2', rule: 'chapter-eye: code 12.' });
  });

  it('compare the code as a string prefix, including the dot', () => {
    expect(derive('930.1', 'ESAME DI PROVA').specialtyCode).toBeNull();
  });
});

describe('unmatched services', () => {
  it('get no specialty, never the catch-all branch', () => {
    const generic = derive('89.99.Z', 'PRIMA VISITA');
    expect(generic).toEqual({ specialtyCode: null, specialtyName: null, derivation: null, rule: 'unmatched' });
  });
});

describe('branch lookup', () => {
  it('targets outpatient branches only, by name', () => {
    expect(derive('89.99.1', 'VISITA CARDIOLOGICA').specialtyCode).toBe('K1');
  });

  it('switches off and reports rules whose branch is missing', () => {
    const partial = createSpecialtyDeriver([branch('Q1', 'Cardiologia')]);
    const ids = partial.unresolved.map((u) => u.id);
    expect(ids).toContain('chapter-radiology');
    expect(ids).not.toContain('cardiology');
    expect(partial.derive({ code: '88.11.1', description: 'ECOGRAFIA DEL GOMITO' }).specialtyCode).toBeNull();
    expect(partial.derive({ code: '88.11.2', description: 'ECOCARDIOGRAFIA' }).specialtyCode).toBe('Q1');
  });

  it('refuses an ambiguous branch name', () => {
    const rules: DerivationRule[] = [{ id: 'lab', branch: 'analisi', match: { kind: 'code-prefix', prefixes: ['90.'] } }];
    const d = createSpecialtyDeriver([branch('L1', 'Analisi chimiche'), branch('L2', 'Analisi di prova')], rules);
    expect(d.unresolved).toEqual([{ id: 'lab', branch: 'analisi', candidates: ['L1 Analisi chimiche', 'L2 Analisi di prova'] }]);
  });

  it('accepts a custom rule table, including keyword rules limited to code prefixes', () => {
    const rules: DerivationRule[] = [
      { id: 'skin-graft', branch: 'chirurgia generale', match: { kind: 'keyword', keywords: ['INNESTO'], withinCodes: ['86.'] } },
    ];
    const d = createSpecialtyDeriver(SPECIALTIES, rules);
    expect(d.unresolved).toEqual([]);
    expect(d.derive({ code: '86.99', description: 'INNESTO DI PROVA' })).toMatchObject({ specialtyCode: 'K11', rule: 'skin-graft: keyword "INNESTO"' });
    expect(d.derive({ code: '53.99', description: 'ERNIA CON INNESTO' }).specialtyCode).toBeNull();
  });
});

describe('the rule table', () => {
  it('has unique ids and only valid keywords', () => {
    const ids = DERIVATION_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of DERIVATION_RULES) {
      if (r.match.kind === 'keyword') for (const k of r.match.keywords) expect(k).toMatch(/^[A-Z0-9 $]+$/);
      else for (const p of r.match.prefixes) expect(p).toMatch(/^[0-9A-Z.]+$/);
    }
  });

  it('compiles keywords to word-start patterns over folded text', () => {
    const re = keywordPattern('DOPPLERGRAFIA CARDIAC');
    expect(re.test('ECO COLOR DOPPLERGRAFIA CARDIACA')).toBe(true);
    expect(re.test('ECODOPPLERGRAFIA CARDIACA')).toBe(false);
    expect(keywordPattern('PET$').test('STUDIO PET TC')).toBe(true);
    expect(keywordPattern('PET$').test('PETTORALE')).toBe(false);
  });
});
