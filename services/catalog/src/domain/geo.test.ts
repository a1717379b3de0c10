import { describe, expect, it } from 'vitest';
import { EARTH_RADIUS_KM, boundingBox, haversineKm, type Point } from './geo.ts';

/** The point `km` away from `p` along the initial bearing `bearingDeg`. */
function destination(p: Point, km: number, bearingDeg: number): Point {
  const d = km / EARTH_RADIUS_KM;
  const b = (bearingDeg * Math.PI) / 180;
  const lat1 = (p.lat * Math.PI) / 180;
  const lon1 = (p.lon * Math.PI) / 180;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b));
  const lon2 = lon1 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: (lat2 * 180) / Math.PI, lon: ((((lon2 * 180) / Math.PI + 540) % 360) - 180) };
}

const inside = (box: ReturnType<typeof boundingBox>, p: Point) => p.lat >= box.minLat && p.lat <= box.maxLat && p.lon >= box.minLon && p.lon <= box.maxLon;

describe('haversineKm', () => {
  it('gives known distances', () => {
    const rome = { lat: 41.9028, lon: 12.4964 };
    const milan = { lat: 45.4642, lon: 9.19 };
    expect(haversineKm(rome, milan)).toBeGreaterThan(470);
    expect(haversineKm(rome, milan)).toBeLessThan(485);
    expect(haversineKm(rome, rome)).toBe(0);
    // A quarter of the equator.
    expect(haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: 90 })).toBeCloseTo((Math.PI / 2) * EARTH_RADIUS_KM, 6);
  });
});

describe('boundingBox', () => {
  it('contains every point at the radius, in every direction', () => {
    for (const center of [{ lat: 41.9, lon: 12.5 }, { lat: -33.9, lon: 151.2 }, { lat: 69.6, lon: 18.9 }, { lat: 0, lon: 0 }]) {
      for (const km of [0.5, 10, 25, 500]) {
        const box = boundingBox(center, km);
        for (let bearing = 0; bearing < 360; bearing += 7.5) {
          const p = destination(center, km, bearing);
          expect(haversineKm(center, p)).toBeCloseTo(km, 6);
          expect(inside(box, p)).toBe(true);
        }
      }
    }
  });

  it('is tight: it does not cover twice the radius', () => {
    const box = boundingBox({ lat: 41.9, lon: 12.5 }, 10);
    expect(inside(box, destination({ lat: 41.9, lon: 12.5 }, 20, 0))).toBe(false);
    expect(inside(box, destination({ lat: 41.9, lon: 12.5 }, 20, 90))).toBe(false);
  });

  it('takes every longitude near a pole or across the antimeridian', () => {
    expect(boundingBox({ lat: 89.95, lon: 10 }, 25)).toMatchObject({ minLon: -180, maxLon: 180, maxLat: 90 });
    const box = boundingBox({ lat: 0, lon: 179.9 }, 50);
    expect(box).toMatchObject({ minLon: -180, maxLon: 180 });
    expect(inside(box, destination({ lat: 0, lon: 179.9 }, 40, 90))).toBe(true);
  });
});
