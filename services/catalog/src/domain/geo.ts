// Great-circle distances for search near a point. The database computes the same haversine
// formula in SQL (offering-repository.ts); a bounding box computed here lets an ordinary
// btree index on (lat, lon) discard far rows before any distance is computed. No
// PostgreSQL extension is needed (earthdistance is not a trusted extension, so a managed
// database may refuse it).

/** Mean Earth radius (IUGG), km. */
export const EARTH_RADIUS_KM = 6371.0088;

export interface Point {
  lat: number;
  lon: number;
}

export interface BoundingBox {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

const rad = (deg: number): number => (deg * Math.PI) / 180;
const deg = (r: number): number => (r * 180) / Math.PI;

/** Haversine distance in km. */
export function haversineKm(a: Point, b: Point): number {
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * A latitude/longitude box that contains every point within `radiusKm` of `center`
 * (J. P. Matuschek's method). Near a pole, or when the box would cross the antimeridian,
 * the longitude range widens to the whole circle: the box must never miss a point; the
 * exact distance filter runs afterwards.
 */
export function boundingBox(center: Point, radiusKm: number): BoundingBox {
  // A little slack against floating-point error at the edges (about 1 m).
  const angular = radiusKm / EARTH_RADIUS_KM + 1e-7;
  const lat = rad(center.lat);
  const minLat = lat - angular;
  const maxLat = lat + angular;
  if (minLat <= -Math.PI / 2 || maxLat >= Math.PI / 2) {
    return { minLat: Math.max(deg(minLat), -90), maxLat: Math.min(deg(maxLat), 90), minLon: -180, maxLon: 180 };
  }
  const dLon = Math.asin(Math.min(1, Math.sin(angular) / Math.cos(lat)));
  const lon = rad(center.lon);
  const minLon = lon - dLon;
  const maxLon = lon + dLon;
  if (minLon < -Math.PI || maxLon > Math.PI) {
    return { minLat: deg(minLat), maxLat: deg(maxLat), minLon: -180, maxLon: 180 };
  }
  return { minLat: deg(minLat), maxLat: deg(maxLat), minLon: deg(minLon), maxLon: deg(maxLon) };
}
