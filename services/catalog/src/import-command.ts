// `npm run catalog:import`: imports the catalogue from HEALTHMATCH_DATA_DIR (default
// ../shared/data from the repository root) into DATABASE_URL, always (idempotent upsert by
// code), and prints a report. Unlike the service's start-up, a missing data folder is an
// error here (exit 1).
import { runMain } from '@healthmatch/platform';
import { isAppError } from '@healthmatch/platform/errors';
import { dataDirOf, loadCatalogConfig } from './config.ts';
import { catalogueImportStore } from './db/catalogue-repository.ts';
import { createCatalogDatabase, migrateCatalogDatabase } from './db/database.ts';
import { importCatalogue } from './domain/catalogue-import.ts';

runMain(async () => {
  const config = loadCatalogConfig();
  const dataDir = dataDirOf(config);
  await migrateCatalogDatabase(config.DATABASE_URL);
  const database = createCatalogDatabase(config.DATABASE_URL, { max: 2, applicationName: 'catalog-import' });
  try {
    const outcome = await importCatalogue(catalogueImportStore(database.db), { dataDir, trigger: 'command', force: true });
    if (outcome.status === 'no-data') {
      console.error(
        `catalog:import: cannot import: ${outcome.missing.join(', ')} not found in ${outcome.dataDir}.\n` +
          'Set HEALTHMATCH_DATA_DIR to the folder of the public data files (a relative path is taken from the repository root).',
      );
      process.exitCode = 1;
      return;
    }
    const { report } = outcome;
    const lines = [
      `catalog:import: ${outcome.status} from ${report.dataDir} in ${outcome.durationMs} ms (reading and deriving ${outcome.readMs} ms, database ${outcome.durationMs - outcome.readMs} ms)`,
      `  services: ${report.services} (derived specialty: ${report.derivation.derived}, by keyword ${report.derivation.byKind.keyword}, by code prefix ${report.derivation.byKind['code-prefix']}, none ${report.derivation.unmatched})`,
      `  specialties: ${report.specialties.outpatientBranches} outpatient branches, ${report.specialties.hospitalDisciplines} hospital disciplines`,
    ];
    if (outcome.status === 'imported') {
      const a = outcome.applied;
      lines.push(
        `  services inserted ${a.services.inserted}, updated ${a.services.updated}, unchanged ${a.services.unchanged}, retired ${a.services.retired}`,
        `  specialties inserted ${a.specialties.inserted}, updated ${a.specialties.updated}, retired ${a.specialties.retired}; offerings refreshed ${a.offeringsRefreshed}`,
      );
    }
    if (report.rejectedCount > 0) {
      lines.push(`  rejected rows: ${report.rejectedCount}`);
      for (const r of report.rejected) lines.push(`    ${r.file}:${r.line} ${r.reason}: ${r.detail}`);
    }
    for (const r of report.unresolvedRules) lines.push(`  rule ${r.id} switched off: branch "${r.branch}" ${r.candidates.length === 0 ? 'not found' : `ambiguous (${r.candidates.join('; ')})`}`);
    console.log(lines.join('\n'));
  } catch (err) {
    if (isAppError(err) && err.code === 'CATALOG_SOURCE_INVALID') {
      console.error(`catalog:import: ${err.detail ?? err.message}`);
      process.exitCode = 1;
      return;
    }
    throw err;
  } finally {
    await database.close();
  }
});
