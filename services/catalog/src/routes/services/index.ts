// The catalogue of services: list/search and one by id. Cursors are decoded and encoded
// here, at the edge; the use cases work with keyset positions.
import { decodeCursor, encodeCursor, type App } from '@healthmatch/platform';
import type { CatalogueReader } from '../../domain/ports.ts';
import { getService, listServices, serviceCursorKey } from '../../domain/search.ts';
import { toServiceDto } from '../dto.ts';
import { getServiceSchema, listServicesSchema } from './schemas.ts';

export function serviceRoutes(app: App, catalogue: CatalogueReader): void {
  app.get('/api/v1/catalog/services', { schema: listServicesSchema }, async (req) => {
    const { q, specialty, limit, cursor } = req.query;
    const page = await listServices(catalogue, { q, specialty, limit, cursor: decodeCursor(cursor, 2) });
    return { items: page.items.map(toServiceDto), nextCursor: page.next ? encodeCursor(serviceCursorKey(page.next)) : null };
  });

  app.get('/api/v1/catalog/services/:id', { schema: getServiceSchema }, async (req) => {
    return toServiceDto(await getService(catalogue, req.params.id));
  });
}
