// Search criteria: what the schemas cannot say (pairs of fields, cursors of a sort order).
import { encodeCursor, decodeCursor } from '@healthmatch/platform';
import { AppError } from '@healthmatch/platform/errors';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RADIUS_KM, searchCriteria, searchCursorKey } from './search.ts';

const ID = '0190b6c2-0000-7000-8000-000000000001';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('VALIDATION_FAILED');
    return ((e as AppError).extras.errors ?? []).map((x) => x.field);
  }
  throw new Error('no error');
}

describe('searchCriteria', () => {
  it('needs lat and lon together, and both for radiusKm', () => {
    expect(fieldsOf(() => searchCriteria({ lat: 41.9 }))).toEqual(['query/lon']);
    expect(fieldsOf(() => searchCriteria({ lon: 12.5 }))).toEqual(['query/lat']);
    expect(fieldsOf(() => searchCriteria({ radiusKm: 5 }))).toEqual(['query/radiusKm']);
    expect(fieldsOf(() => searchCriteria({ lat: 41.9, radiusKm: 5 }))).toEqual(['query/lon', 'query/radiusKm']);
  });

  it('uses a default radius and a bounding box near a point', () => {
    const c = searchCriteria({ lat: 41.9, lon: 12.5 });
    expect(c.near).toMatchObject({ lat: 41.9, lon: 12.5, radiusKm: DEFAULT_RADIUS_KM });
    expect(c.near?.box.minLat).toBeLessThan(41.9);
    expect(c.near?.box.maxLon).toBeGreaterThan(12.5);
    expect(searchCriteria({ lat: 0, lon: 0 }).near).toBeDefined();
  });

  it('normalises words and the city', () => {
    const c = searchCriteria({ q: "Ecografìa DELL'addome", city: ' FORLÌ ' });
    expect(c.tokens).toEqual(['ecografia', 'addome']);
    expect(c.cityKey).toBe('forli');
    expect(fieldsOf(() => searchCriteria({ city: '--' }))).toEqual(['query/city']);
  });

  it('takes back its own cursors and refuses those of the other sort order or tampered ones', () => {
    const byPrice = searchCursorKey({ sort: 'price', amount: 4500, id: ID });
    const byDistance = searchCursorKey({ sort: 'distance', distanceKm: 1.234567890123, id: ID });
    const roundTrip = (key: unknown[]) => decodeCursor(encodeCursor(key), 3);
    expect(searchCriteria({ cursor: roundTrip(byPrice) }).after).toEqual({ sort: 'price', amount: 4500, id: ID });
    expect(searchCriteria({ lat: 1, lon: 1, cursor: roundTrip(byDistance) }).after).toEqual({ sort: 'distance', distanceKm: 1.234567890123, id: ID });
    expect(fieldsOf(() => searchCriteria({ lat: 1, lon: 1, cursor: byPrice }))).toEqual(['query/cursor']);
    expect(fieldsOf(() => searchCriteria({ cursor: byDistance }))).toEqual(['query/cursor']);
    for (const bad of [['p', -1, ID], ['p', 1.5, ID], ['p', 1, 'x'], ['p', '1', ID], ['d', 'NaN', ID], [1, 2, 3]]) {
      expect(fieldsOf(() => searchCriteria({ lat: 1, lon: 1, cursor: bad }))).toEqual(['query/cursor']);
      expect(fieldsOf(() => searchCriteria({ cursor: bad }))).toEqual(['query/cursor']);
    }
  });
});
