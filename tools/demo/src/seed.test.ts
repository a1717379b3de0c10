import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFacilities } from './facilities.ts';
import { dataDir, parseOptions, selectPlans } from './seed.ts';
import { csvOf, row } from './test-rows.ts';

describe('options', () => {
  it('has defaults for a full run', () => {
    expect(parseOptions([])).toEqual({ limit: undefined, onlyRome: false, concurrency: 8, viaGateway: false, dryRun: false, verbose: false });
  });

  it('reads the flags', () => {
    expect(parseOptions(['--limit', '30', '--only-rome', '--concurrency=4', '--via-gateway', '--dry-run', '--verbose'])).toEqual({
      limit: 30,
      onlyRome: true,
      concurrency: 4,
      viaGateway: true,
      dryRun: true,
      verbose: true,
    });
    expect(parseOptions(['-h'])).toBe('help');
  });

  it('refuses what it does not understand', () => {
    expect(() => parseOptions(['--limit', '0'])).toThrow(/--limit must be a positive integer/);
    expect(() => parseOptions(['--limit', 'ten'])).toThrow(/--limit must be a positive integer/);
    expect(() => parseOptions(['--limt', '3'])).toThrow(/Unknown option/);
    expect(() => parseOptions(['extra'])).toThrow();
  });
});

describe('selectPlans', () => {
  const file = parseFacilities(
    csvOf([
      row({ N: '1', COMUNE: 'ROMA' }),
      row({ N: '2', COMUNE: 'TIVOLI', Latitude: '41.96', Longitude: '12.80' }),
      row({ N: '3', COMUNE: 'ROMA' }),
      row({ N: '4', COMUNE: 'ROMA' }),
    ]),
  );

  it('keeps file order, filters Rome, then applies the limit', () => {
    expect(selectPlans(file, { onlyRome: false }).map((p) => p.key)).toEqual(['1', '2', '3', '4']);
    expect(selectPlans(file, { onlyRome: true }).map((p) => p.key)).toEqual(['1', '3', '4']);
    expect(selectPlans(file, { onlyRome: true, limit: 2 }).map((p) => p.key)).toEqual(['1', '3']);
    expect(selectPlans(file, { onlyRome: false, limit: 2 }).map((p) => p.key)).toEqual(['1', '2']);
  });
});

describe('dataDir', () => {
  const repo = path.resolve(import.meta.dirname, '../../..');
  it('defaults to the shared data next to the repository, and takes relative paths from the repository root', () => {
    expect(dataDir({})).toBe(path.resolve(repo, '../shared/data'));
    expect(dataDir({ HEALTHMATCH_DATA_DIR: 'fixtures/data' })).toBe(path.join(repo, 'fixtures/data'));
    expect(dataDir({ HEALTHMATCH_DATA_DIR: '/srv/data' })).toBe('/srv/data');
  });
});
