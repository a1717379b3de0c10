import { ConfigError } from '@healthmatch/platform';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, REPO_ROOT, dataDirOf, loadCatalogConfig } from './config.ts';

describe('catalog configuration', () => {
  it('has defaults for everything but the database', () => {
    const config = loadCatalogConfig({ DATABASE_URL: 'postgres://u@h/db' });
    expect(config).toMatchObject({ PORT: 8083, USERS_URL: 'http://127.0.0.1:8082', AUTH_URL: 'http://127.0.0.1:8081', JWT_ISSUER: 'healthmatch-auth' });
    expect(() => loadCatalogConfig({})).toThrowError(ConfigError);
    // One message lists every bad variable.
    expect(() => loadCatalogConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty' })).toThrowError(/PORT is invalid[\s\S]*DATABASE_URL is invalid/);
  });

  it('finds the data folder from its own location, not from the working directory', () => {
    expect(REPO_ROOT).toBe(path.resolve(import.meta.dirname, '../../../') + path.sep);
    expect(DEFAULT_DATA_DIR).toBe(path.resolve(REPO_ROOT, '..', 'shared', 'data'));
    expect(dataDirOf({})).toBe(DEFAULT_DATA_DIR);
    expect(dataDirOf({ HEALTHMATCH_DATA_DIR: '/srv/data' })).toBe('/srv/data');
    expect(dataDirOf({ HEALTHMATCH_DATA_DIR: 'fixtures/data' })).toBe(path.resolve(REPO_ROOT, 'fixtures/data'));
  });
});
