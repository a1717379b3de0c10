// The specialty list: the outpatient branches of the national nomenclator.
import { SpecialtyList } from '@healthmatch/contracts';
import type { App } from '@healthmatch/platform';
import type { CatalogueReader } from '../../domain/ports.ts';
import { toSpecialtyDto } from '../dto.ts';

export const listSpecialtiesSchema = {
  tags: ['catalog'],
  summary: 'Specialties (outpatient branches)',
  description: 'The 26 outpatient branches (branca specialistica ambulatoriale) of the national nomenclator, by code.',
  response: { 200: SpecialtyList },
} as const;

export function specialtyRoutes(app: App, catalogue: CatalogueReader): void {
  app.get('/api/v1/catalog/specialties', { schema: listSpecialtiesSchema }, async () => {
    const items = await catalogue.listOutpatientBranches();
    return { items: items.map(toSpecialtyDto) };
  });
}
