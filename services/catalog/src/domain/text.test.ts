import { describe, expect, it } from 'vitest';
import {
  cleanDescription,
  descriptionTitle,
  displayName,
  documentWords,
  foldUpper,
  matchesTokens,
  normalizeText,
  searchTokens,
} from './text.ts';

describe('normalizeText', () => {
  it('lower-cases, strips accents and collapses punctuation to single spaces', () => {
    expect(normalizeText('  ECO(COLOR)DOPPLERGRAFIA   Cardiaca, è… ')).toBe('eco color dopplergrafia cardiaca e');
    expect(normalizeText("SENSIBILITA' DELL'ETÀ")).toBe('sensibilita dell eta');
    expect(normalizeText('Çà-ñö / Ü')).toBe('ca no u');
  });

  it('keeps digits and folds compatibility characters', () => {
    expect(normalizeText('Ferita < 10 cm² (89.7A.3)')).toBe('ferita 10 cm2 89 7a 3');
  });

  it('returns an empty string for text without letters or digits', () => {
    expect(normalizeText(' -- ... ')).toBe('');
    expect(documentWords(' -- ')).toEqual([]);
  });

  it('foldUpper is the upper-case form used by the specialty rules', () => {
    expect(foldUpper("Pace-maker dell'àrto")).toBe('PACE MAKER DELL ARTO');
  });
});

describe('cleanDescription', () => {
  it('separates an upper-case word glued to the next sentence', () => {
    expect(cleanDescription('REGOLAZIONE DI DISPOSITIVO SPINALENon associabile a 00.00')).toBe(
      'REGOLAZIONE DI DISPOSITIVO SPINALE Non associabile a 00.00',
    );
    expect(cleanDescription('ESAME NOTTURNO RIDOTTOPer studio del sonno')).toBe('ESAME NOTTURNO RIDOTTO Per studio del sonno');
  });

  it('separates a lower-case word glued to the next sentence', () => {
    expect(cleanDescription('Incluso: controllo del movimentoEscluso: altro test')).toBe('Incluso: controllo del movimento Escluso: altro test');
  });

  it('adds the missing space after a full stop before a new sentence', () => {
    expect(cleanDescription('VISITA DI PROVA.Incluso: ecg')).toBe('VISITA DI PROVA. Incluso: ecg');
    expect(cleanDescription('INTERVENTO DI PROVA..Incluso: visita')).toBe('INTERVENTO DI PROVA.. Incluso: visita');
  });

  it('leaves abbreviations, units, decimals and initialisms alone', () => {
    for (const s of ['ANTICORPI IgG, IgM', 'pH METRIA', 'ANTIGENE HBsAg', 'MARCATORE [MESh]', 'SNPs-array', 'ANTIGENE HDVAg.', 'TSH 0.45 mU/L', 'DISPOSITIVO (I.U.D.)', 'VALUTAZIONdi E ALTRO']) {
      expect(cleanDescription(s)).toBe(s);
    }
  });

  it('collapses whitespace and line breaks, trims, and undoes doubled quotes', () => {
    expect(cleanDescription('  BIOPSIA ""ASSISTITA""\n  CON\r\nGUIDA  ')).toBe('BIOPSIA "ASSISTITA" CON GUIDA');
  });

  it('corrects the known typos of the source, whole words only, and keeps other spellings', () => {
    expect(cleanDescription('PRMA VISITA DI PROVA. Incluso: ECG')).toBe('PRIMA VISITA DI PROVA. Incluso: ECG');
    expect(cleanDescription('VISITA DI CHIRURGIA MAXILLLO FACCIALE DI PROVA')).toBe('VISITA DI CHIRURGIA MAXILLO FACCIALE DI PROVA');
    expect(cleanDescription('Non associabile a Prma visita di prova')).toBe('Non associabile a Prima visita di prova');
    expect(cleanDescription('ESAME PRMAX DI PROVA')).toBe('ESAME PRMAX DI PROVA');
    expect(cleanDescription('VALUTAZIONdi E ALTRO')).toBe('VALUTAZIONdi E ALTRO'); // not a listed typo
  });
});

describe('descriptionTitle', () => {
  it('is the first sentence without the appended notes', () => {
    expect(descriptionTitle('PRIMA VISITA DI PROVA. Incluso: ECG (00.00)')).toBe('PRIMA VISITA DI PROVA');
    expect(descriptionTitle('ESAME DI PROVA Incluso: visita oculistica')).toBe('ESAME DI PROVA');
    expect(descriptionTitle('ESAME DI PROVA Non associabile a VISITA CARDIOLOGICA')).toBe('ESAME DI PROVA');
    expect(descriptionTitle('GESSO: arto superiore')).toBe('GESSO');
  });

  it('cuts an upper-case title before a note in ordinary case, but not inside brackets', () => {
    expect(descriptionTitle('LAVAGGIO DELLE VIE NASALI Sondaggio meccanico delle vie')).toBe('LAVAGGIO DELLE VIE NASALI');
    expect(descriptionTitle('MONITORAGGIO [24 Ore] DELLA FREQUENZA')).toBe('MONITORAGGIO [24 Ore] DELLA FREQUENZA');
    expect(descriptionTitle('TRACCIATO DINAMICO (secondo Holter)')).toBe('TRACCIATO DINAMICO (secondo Holter)');
  });

  it('does not split after short abbreviations', () => {
    expect(descriptionTitle('ES. ISTOLOGICO DI PROVA. Biopsia')).toBe('ES. ISTOLOGICO DI PROVA');
  });

  it('leaves titles that start in ordinary case to the sentence rule only', () => {
    expect(descriptionTitle('Analisi di prova di un gene Per la diagnosi. Metodo qualunque')).toBe('Analisi di prova di un gene Per la diagnosi');
  });
});

describe('displayName', () => {
  it('is the title in sentence case with accents restored from apostrophes', () => {
    expect(displayName('PRIMA VISITA CARDIOLOGICA PEDIATRICA. Incluso: ECG')).toBe('Prima visita cardiologica pediatrica');
    expect(displayName("STUDIO DELL'ETA' OSSEA E PIU' ALTRO")).toBe("Studio dell'età ossea e più altro");
  });

  it('keeps accents, acronyms, abbreviations and mixed-case words', () => {
    expect(displayName('TC DEL TORACE SENZA E CON MDC')).toBe('TC del torace senza e con MDC');
    expect(displayName('BIOPSIA TC-GUIDATA DEL POLMONE')).toBe('Biopsia TC-guidata del polmone');
    expect(displayName('pH METRIA DI PROVA')).toBe('pH metria di prova');
    expect(displayName('ANTICORPI IgG ANTI VIRUS B')).toBe('Anticorpi IgG anti virus B');
    expect(displayName('ESAME CON O2 E CO2')).toBe('Esame con O2 e CO2');
    expect(displayName('DIALISI DI PROVA [CAPD]')).toBe('Dialisi di prova [CAPD]');
    expect(displayName('CAVITÀ NASALI')).toBe('Cavità nasali');
  });
});

describe('searchTokens', () => {
  it('normalises and de-duplicates the words of a query', () => {
    expect(searchTokens('  Visita  OCULÌSTICA visita ')).toEqual(['visita', 'oculistica']);
  });

  it('drops stop words unless the query has nothing else', () => {
    expect(searchTokens("ecografia dell'addome")).toEqual(['ecografia', 'addome']);
    expect(searchTokens('di')).toEqual(['di']);
  });

  it('drops a token that is a prefix of another one', () => {
    expect(searchTokens('card cardiolog')).toEqual(['cardiolog']);
  });

  it('returns no tokens for an empty or punctuation-only query', () => {
    expect(searchTokens('')).toEqual([]);
    expect(searchTokens(' %_* ')).toEqual([]);
  });

  it('yields only letters and digits (safe in LIKE patterns)', () => {
    for (const t of searchTokens("100% _x_ 'a'%b \\c")) expect(t).toMatch(/^[\p{L}\p{N}]+$/u);
  });
});

describe('matchesTokens (prefix semantics)', () => {
  const doc = 'PRIMA VISITA OCULISTICA PEDIATRICA. Incluso: esame del visus';

  it('matches a prefix of a word', () => {
    expect(matchesTokens(searchTokens('oculist'), doc)).toBe(true);
    expect(matchesTokens(searchTokens('cardiolog'), 'VISITA CARDIOLOGICA DI CONTROLLO')).toBe(true);
  });

  it('needs every token, in any order', () => {
    expect(matchesTokens(searchTokens('visita oculistica'), doc)).toBe(true);
    expect(matchesTokens(searchTokens('oculistica visita'), doc)).toBe(true);
    expect(matchesTokens(searchTokens('visita cardiologica'), doc)).toBe(false);
  });

  it('does not match inside a word', () => {
    expect(matchesTokens(searchTokens('listica'), doc)).toBe(false);
  });

  it('ignores accents and case on both sides', () => {
    expect(matchesTokens(searchTokens('OCULÌST'), 'visita oculistica')).toBe(true);
    expect(matchesTokens(searchTokens('eta'), "STUDIO DELL'ETA' OSSEA")).toBe(true);
  });

  it('matches everything without tokens', () => {
    expect(matchesTokens([], doc)).toBe(true);
  });
});
