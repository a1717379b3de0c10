import { describe, expect, it } from 'vitest';
import { facilityAddress, facilityCity, facilityDisplayName, isGenericSiteName, titleCaseIt } from './names.ts';

describe('titleCaseIt', () => {
  it.each([
    ["CASA DI CURA VILLA DELL'ESEMPIO S.R.L.", "Casa di Cura Villa dell'Esempio S.r.l."],
    ['CENTRO ALFA SRL', 'Centro Alfa S.r.l.'],
    ['BETA S.P.A.', 'Beta S.p.A.'],
    ['GAMMA SNC DI ROSSI MARIO E C.', 'Gamma S.n.c. di Rossi Mario e C.'],
    ["CITTA' DI ESEMPIO", 'Città di Esempio'],
    ["SANT'ANNA DEI FIORI", "Sant'Anna dei Fiori"],
    ["L'APPRODO ESEMPIO ONLUS", "L'Approdo Esempio Onlus"],
    ['DOTT.SSA BIANCHI ANNA', 'Dott.ssa Bianchi Anna'],
    ['STUDIO DR. VERDI', 'Studio Dr. Verdi'],
    ['RSA VILLA ROSA - CENTRO FKT', 'RSA Villa Rosa - Centro FKT'],
    ['IRCCS ESEMPIO (CENTRO DI RIABILITAZIONE)', 'IRCCS Esempio (Centro di Riabilitazione)'],
    ['E.S.E.M.P. S.R.L.', 'E.S.E.M.P. S.r.l.'],
    ['S.R.T.R.ESTENSIVA ALFA', 'S.R.T.R.Estensiva Alfa'],
    ['CENTRO S.ANTONIO', 'Centro S.Antonio'],
    ['PRESIDIO 1/A-B', 'Presidio 1/A-B'],
    ['RESIDENZA PIO XII', 'Residenza Pio XII'],
    ['LA QUERCIA', 'La Quercia'],
    ['Società Mista srl', 'Società Mista S.r.l.'],
  ])('%s -> %s', (input, expected) => {
    expect(titleCaseIt(input, { legalForms: true })).toBe(expected);
  });

  it('writes addresses the Italian way', () => {
    expect(titleCaseIt('VIA DELLA PROVA, 12', { legalForms: false })).toBe('Via della Prova, 12');
    expect(titleCaseIt('via giuseppe esempio, 11', { legalForms: false })).toBe('Via Giuseppe Esempio, 11');
    expect(titleCaseIt('P.ZZA XX SETTEMBRE 2', { legalForms: false })).toBe('P.zza XX Settembre 2');
    expect(titleCaseIt('VIA ROMA SNC', { legalForms: false })).toBe('Via Roma snc');
    expect(titleCaseIt('S.S. 7 KM 12,500', { legalForms: false })).toBe('S.S. 7 km 12,500');
  });
});

describe('facility fields', () => {
  it('names a facility by its site, else its company', () => {
    expect(facilityDisplayName('LABORATORIO ANALISI ALFA', 'ALFA SRL')).toBe('Laboratorio Analisi Alfa');
    expect(facilityDisplayName('', 'ALFA SRL')).toBe('Alfa S.r.l.');
  });

  it('adds the company to a site name that only says what kind of place it is', () => {
    expect(isGenericSiteName('POLIAMBULATORIO SPECIALISTICO')).toBe(true);
    expect(isGenericSiteName('PRESIDIO 1/A-B')).toBe(true);
    expect(isGenericSiteName('POLIAMBULATORIO ALFA')).toBe(false);
    expect(facilityDisplayName('POLIAMBULATORIO SPECIALISTICO', 'BETA MEDICA SRL')).toBe('Poliambulatorio Specialistico - Beta Medica S.r.l.');
    expect(facilityDisplayName('LABORATORIO', 'LABORATORIO GAMMA S.R.L.')).toBe('Laboratorio Gamma S.r.l.');
  });

  it('keeps the street in the address and the comune in the city', () => {
    expect(facilityAddress('VIA DI PROVA 19 roma', 'ROMA')).toBe('Via di Prova 19');
    expect(facilityAddress('VIA DI PROVA, 1', 'ROMA')).toBe('Via di Prova, 1');
    expect(facilityAddress('', 'LATINA')).toBe('Latina');
    expect(facilityCity("SANT'ANGELO ROMANO")).toBe("Sant'Angelo Romano");
    expect(facilityCity('GUIDONIA MONTECELIO')).toBe('Guidonia Montecelio');
  });

  it('fits the profile limits', () => {
    expect(facilityDisplayName('A'.repeat(150) + ' ' + 'B'.repeat(150), '').length).toBeLessThanOrEqual(200);
  });
});
