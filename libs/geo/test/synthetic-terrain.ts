/**
 * Synthetic SRTM tiles for fixtures: a 3″ tile (1201 × 1201) whose elevations follow a formula
 * in metres east/north of an origin, decoded through the same HgtTile path as real tiles.
 */
import { HGT_VOID, type HgtTile } from '../src/dem/hgt-tile';
import { metricScale } from '../src/geometry/ruler';

// Local aliases: global lookups are slow inside jest's vm sandbox (1.4 M samples per tile).
const { abs, hypot, max, min, round } = Math;

export type TerrainSpec =
  | { kind: 'plane'; baseM: number; eastPct?: number; northPct?: number }
  | { kind: 'ridge'; baseM: number; slopePct: number }
  | { kind: 'valley'; baseM: number; slopePct: number }
  | { kind: 'void'; baseM: number; voidRadiusM: number }
  | { kind: 'elsewhere' };

export interface TerrainOrigin {
  lon: number;
  lat: number;
}

export function syntheticTile(spec: TerrainSpec, origin: TerrainOrigin): HgtTile {
  if (spec.kind === 'elsewhere') {
    // A tile that covers none of the fixture (10–11°N, 10–11°E): every sample is outside.
    return { south: 10, west: 10, size: 1201, data: new Int16Array(1201 * 1201).fill(100) };
  }
  const south = Math.floor(origin.lat);
  const west = Math.floor(origin.lon);
  const size = 1201;
  const { kx, ky } = metricScale(origin.lat);
  const data = new Int16Array(size * size);
  for (let r = 0; r < size; r++) {
    const lat = south + 1 - r / (size - 1);
    const y = (lat - origin.lat) * ky;
    for (let c = 0; c < size; c++) {
      const lon = west + c / (size - 1);
      const x = (lon - origin.lon) * kx;
      let z: number;
      switch (spec.kind) {
        case 'plane':
          z = spec.baseM + ((spec.eastPct ?? 0) / 100) * x + ((spec.northPct ?? 0) / 100) * y;
          break;
        case 'ridge':
          z = spec.baseM - (spec.slopePct / 100) * abs(y);
          break;
        case 'valley':
          z = spec.baseM + (spec.slopePct / 100) * abs(y);
          break;
        case 'void':
          z = hypot(x, y) <= spec.voidRadiusM ? HGT_VOID : spec.baseM;
          break;
      }
      data[r * size + c] = z === HGT_VOID ? HGT_VOID : max(-500, min(9000, round(z)));
    }
  }
  return { south, west, size, data };
}
