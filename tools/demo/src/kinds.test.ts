import { describe, expect, it } from 'vitest';
import { guessKinds } from './kinds.ts';

// Invented names in the style of the source.
describe('guessKinds', () => {
  it.each([
    ['LABORATORIO ANALISI CLINICHE ROSSI S.R.L.', ['laboratory']],
    ['ANALISI CLINICHE PRATI SRL', ['laboratory']],
    ['MARILAB ESEMPIO', ['laboratory']],
    ['STUDIO RADIOLOGICO BIANCHI', ['imaging']],
    ['CENTRO DIAGNOSTICA PER IMMAGINI ALFA', ['imaging']],
    ['STRUTTURA AMBULATORIALE FKT BETA', ['rehabilitation']],
    ['CENTRO DI FISIOKINESITERAPIA GAMMA', ['rehabilitation']],
    ['CENTRO RIABILITAZIONE DELTA', ['rehabilitation']],
    ['POLIAMBULATORIO SPECIALISTICO EPSILON', ['outpatient']],
    ['CASA DI CURA VILLA ZETA', ['outpatient']],
    ['CENTRO MEDICO ETA SRL', ['outpatient']],
    ['STRUTTURA AMBULATORIALE THETA SRL', ['outpatient']],
    ['LABORATORIO ANALISI - DIAGNOSTICA PER IMMAGINI - POLIAMBULATORIO IOTA', ['laboratory', 'imaging', 'outpatient']],
    ['STUDIO RADIOLOGICO FISIOTERAPICO KAPPA', ['imaging', 'rehabilitation']],
  ])('%s -> %j', (name, kinds) => {
    const g = guessKinds(name, 'QUALSIASI S.R.L.');
    expect(g.kinds).toEqual(kinds);
    expect(g.source).toBe('name');
  });

  it('gives residential care, dialysis and thermal cures no bookable kind, and says which', () => {
    expect(guessKinds('RSA VILLA SERENA', '')).toMatchObject({ kinds: [], other: ['residential'] });
    expect(guessKinds('HOSPICE SAN LUCA', '')).toMatchObject({ kinds: [], other: ['residential'] });
    expect(guessKinds("COMUNITA' TERAPEUTICO RIABILITATIVA LA QUERCIA", '')).toMatchObject({ kinds: [], other: ['residential'] });
    expect(guessKinds('CENTRO RIABILITAZIONE EX ART. 26 ALFA', '')).toMatchObject({ kinds: [], other: ['residential'] });
    expect(guessKinds('CENTRO DIALISI OMEGA', '')).toMatchObject({ kinds: [], other: ['dialysis'] });
    expect(guessKinds('TERME DI ESEMPIO', '')).toMatchObject({ kinds: [], other: ['thermal'] });
  });

  it('keeps what is bookable when a residential place also has outpatient clinics', () => {
    const g = guessKinds('RSA SAN MARCO + AMBULATORI', '');
    expect(g.kinds).toEqual(['outpatient']);
    expect(g.other).toEqual(['residential']);
    expect(g.multiSpecialty).toBe(true);
    // ...but "AMBULATORIALE" describing the dialysis does not make it a clinic
    expect(guessKinds('CENTRO DIALISI AMBULATORIALE SIGMA', '')).toMatchObject({ kinds: [], other: ['dialysis'] });
  });

  it('reads specialties from the name', () => {
    expect(guessKinds('CARDIOLOGIA ESEMPIO DOTT. ROSSI S.R.L.', '')).toMatchObject({ kinds: ['outpatient'], focus: ['cardiology'] });
    expect(guessKinds('STUDIO ODONTOIATRICO DEL DOTT. VERDI', '')).toMatchObject({ kinds: ['outpatient'], focus: ['dentistry'] });
    expect(guessKinds('AMBULATORIO SPECIALISTICO OCULISTICO TAU', '')).toMatchObject({ kinds: ['outpatient'], focus: ['ophthalmology'] });
    // "NEUROLOGIA" is not urology
    expect(guessKinds('AMBULATORIO DI NEUROLOGIA PHI', '').focus).toEqual(['neurology']);
    // speech therapy is rehabilitation
    expect(guessKinds('CENTRO DI LOGOPEDIA CHI', '')).toMatchObject({ kinds: ['rehabilitation'], focus: ['speech'] });
  });

  it('does not take a word for a laboratory because it starts with LAB', () => {
    expect(guessKinds('CENTRO LABICO ESEMPIO', 'X SRL').kinds).not.toContain('laboratory');
  });

  it('falls back to the company name, then to a default', () => {
    expect(guessKinds('PRESIDIO 1', 'LABORATORIO ANALISI PSI S.R.L.')).toMatchObject({ kinds: ['laboratory'], source: 'legal-name' });
    expect(guessKinds('PRESIDIO 2', 'OMEGA 99 S.R.L.')).toMatchObject({ kinds: ['outpatient'], source: 'default', matched: [] });
    expect(guessKinds('VILLA ALFA', 'ASSOCIAZIONE ALFA ONLUS')).toMatchObject({ kinds: [], other: ['residential'], source: 'legal-name' });
  });

  it('ignores accents and case', () => {
    expect(guessKinds('Comunità Alloggio Beta', '').other).toEqual(['residential']);
    expect(guessKinds('laboratorio analisi gamma', '').kinds).toEqual(['laboratory']);
  });

  it('reports the rules that matched', () => {
    expect(guessKinds('LABORATORIO ANALISI ZETA', '').matched).toEqual(['laboratory: LABORATOR']);
  });
});
