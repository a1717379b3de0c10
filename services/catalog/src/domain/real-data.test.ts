// Smoke test against the real public files (never copied into the repository): they are
// read from HEALTHMATCH_DATA_DIR, by default ../shared/data next to the project (every
// developer and CI has it, so a missing folder fails here). Asserts counts and coverage only.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogue, type Catalogue } from './catalogue.ts';
import { CATALOGUE_FILE, SPECIALTIES_FILE, readCatalogueCsv, readSpecialtiesCsv, type RejectedRow } from './csv-sources.ts';
import { KNOWN_SOURCE_TYPOS } from './source-typos.ts';
import { matchesTokens, searchTokens } from './text.ts';

const projectRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const dataDir = process.env.HEALTHMATCH_DATA_DIR ?? path.resolve(projectRoot, '../shared/data');
describe('real source files', () => {
  let catalogue: Catalogue;
  let rejected: RejectedRow[];

  beforeAll(async () => {
    const services = await readCatalogueCsv(path.join(dataDir, CATALOGUE_FILE));
    const specialties = await readSpecialtiesCsv(path.join(dataDir, SPECIALTIES_FILE));
    rejected = [...services.rejected, ...specialties.rejected];
    catalogue = buildCatalogue(services.records, specialties.records);
  });

  it('reads every row', () => {
    expect(rejected).toEqual([]);
    expect(catalogue.services).toHaveLength(2108);
    expect(catalogue.specialties).toHaveLength(26);
    expect(catalogue.hospitalDisciplines).toHaveLength(71);
  });

  it('resolves every derivation rule against the specialty file', () => {
    expect(catalogue.unresolvedRules).toEqual([]);
  });

  it('derives an outpatient branch for nearly all services, never the catch-all one', () => {
    const { summary } = catalogue;
    expect(summary.derived).toBeGreaterThanOrEqual(2090);
    const branchCodes = new Set(catalogue.specialties.map((s) => s.code));
    for (const s of catalogue.services) {
      if (s.specialty.specialtyCode !== null) expect(branchCodes.has(s.specialty.specialtyCode)).toBe(true);
    }
    const altro = summary.bySpecialty.find((b) => b.name === 'Altro');
    expect(altro?.services).toBe(0);
    // Every other branch gets at least one service.
    expect(summary.bySpecialty.filter((b) => b.name !== 'Altro' && b.services === 0)).toEqual([]);
  });

  it('derives the first cardiology visit named in the data README', () => {
    const visit = catalogue.services.find((s) => s.code === '89.7A.3');
    expect(visit?.specialty).toMatchObject({ specialtyName: 'Cardiologia', derivation: 'keyword' });
  });

  it('corrects the source\'s "PRMA VISITA CARDIOLOGICA" in name and search words, keeping the published description', () => {
    const visit = catalogue.services.find((s) => s.code === '89.7A.3');
    expect(visit?.description).toMatch(/^PRMA VISITA CARDIOLOGICA\b/);
    expect(visit?.name).toBe('Prima visita cardiologica');
    const found = catalogue.services.filter((s) => matchesTokens(searchTokens('prima visita cardiologica'), s.searchText)).map((s) => s.code);
    expect(found).toContain('89.7A.3');
    expect(catalogue.services.find((s) => s.code === '89.01.S')?.name).toBe('Visita di controllo di chirurgia maxillo facciale');
  });

  it('has every listed typo in the source, and corrects only those services', () => {
    const typoWord = new RegExp(`(?<![\\p{L}\\p{N}])(?:${[...KNOWN_SOURCE_TYPOS.keys()].join('|')})(?![\\p{L}\\p{N}])`, 'iu');
    const withTypo = catalogue.services.filter((s) => typoWord.test(s.description)).map((s) => s.code);
    expect(withTypo.sort()).toEqual(['89.01.S', '89.7A.3']);
    expect(catalogue.services.filter((s) => typoWord.test(`${s.cleanDescription} ${s.name} ${s.searchText}`))).toEqual([]);
  });
});
