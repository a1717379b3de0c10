import { describe, expect, it } from 'vitest';
import { KNOWN_SOURCE_TYPOS, correctSourceTypos } from './source-typos.ts';

describe('known typos of the source', () => {
  it('is a small explicit table of whole upper-case words', () => {
    expect([...KNOWN_SOURCE_TYPOS]).toEqual([
      ['PRMA', 'PRIMA'],
      ['MAXILLLO', 'MAXILLO'],
    ]);
  });

  it('corrects each listed word in the letter case it was written in', () => {
    expect(correctSourceTypos('PRMA VISITA DI PROVA')).toBe('PRIMA VISITA DI PROVA');
    expect(correctSourceTypos('prma visita, Prma visita')).toBe('prima visita, Prima visita');
    expect(correctSourceTypos('CHIRURGIA MAXILLLO-FACCIALE (MAXILLLO)')).toBe('CHIRURGIA MAXILLO-FACCIALE (MAXILLO)');
  });

  it('leaves words that only contain a listed one, and everything else, alone', () => {
    for (const s of ['PRMAX', 'APRMA', 'PRMA2', 'PRIMA VISITA', 'VALUTAZIONdi E', '']) expect(correctSourceTypos(s)).toBe(s);
  });
});
