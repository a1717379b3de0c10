// Public search over active offerings: a thin handler over domain/search.ts.
import { decodeCursor, encodeCursor, type App } from '@healthmatch/platform';
import type { OfferingStore } from '../../domain/ports.ts';
import { searchCursorKey, searchOfferings } from '../../domain/search.ts';
import { toSearchHitDto } from '../dto.ts';
import { searchSchema } from './schemas.ts';

export function searchRoutes(app: App, offerings: OfferingStore): void {
  app.get('/api/v1/catalog/search', { schema: searchSchema }, async (req) => {
    const { cursor, ...filters } = req.query;
    const page = await searchOfferings(offerings, { ...filters, cursor: decodeCursor(cursor, 3) });
    return { items: page.items.map(toSearchHitDto), nextCursor: page.next ? encodeCursor(searchCursorKey(page.next)) : null };
  });
}
