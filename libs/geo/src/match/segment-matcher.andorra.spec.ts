import { describe, expect, it } from '@jest/globals';
import { distance, lineString, nearestPointOnLine, point, pointToLineDistance } from '@turf/turf';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { metricScale, projectOnLine, projectOnSegment, type LonLat } from '../geometry/ruler';
import type { SegmentInput } from './packed-segments';
import { SegmentMatcher } from './segment-matcher';

// The Andorra data lives outside the repository: ../shared/data/andorra from the repository root.
const DATA_DIR = process.env.ROADLOOP_DATA_DIR ?? resolve(__dirname, '../../../../../shared/data/andorra');
const PIECES_CSV = resolve(DATA_DIR, 'reference/water-distance-postgis.csv');
const ROAD_BOX = { minLon: 1.419351, minLat: 42.41714, maxLon: 1.7338324, maxLat: 42.6340018 };
const TOLERANCE_M = 100;
const TURF_CHECKS = 300;

interface Piece {
  wayId: string;
  index: number;
  start: LonLat;
  end: LonLat;
}

function readPieces(): Piece[] {
  if (!existsSync(PIECES_CSV)) throw new Error(`Andorra reference data not found at ${PIECES_CSV} (set ROADLOOP_DATA_DIR)`);
  const [header, ...rows] = readFileSync(PIECES_CSV, 'utf8').trim().split('\n');
  expect(header).toBe('osm_way_id,segment_index,start_lon,start_lat,end_lon,end_lat,dist_to_water_m');
  return rows.map((row) => {
    const [wayId, index, sLon, sLat, eLon, eLat] = row.split(',');
    return { wayId, index: Number(index), start: [Number(sLon), Number(sLat)], end: [Number(eLon), Number(eLat)] };
  });
}

/** Each way rebuilt as one polyline from its pieces, in piece order. */
function waysFrom(pieces: readonly Piece[]): SegmentInput[] {
  const byWay = new Map<string, Piece[]>();
  for (const p of pieces) byWay.set(p.wayId, [...(byWay.get(p.wayId) ?? []), p]);
  return [...byWay].map(([wayId, ps]) => {
    const ordered = [...ps].sort((a, b) => a.index - b.index);
    return { id: `way/${wayId}`, coordinates: [ordered[0].start, ...ordered.map((p) => p.end)] };
  });
}

/** mulberry32: a tiny seeded PRNG, so the points are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Half the points within 60 m of a random piece, half anywhere in the road bounding box. */
function randomPoints(pieces: readonly Piece[], count: number, seed: number): LonLat[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i): LonLat => {
    if (i % 2 === 1) {
      return [ROAD_BOX.minLon + random() * (ROAD_BOX.maxLon - ROAD_BOX.minLon), ROAD_BOX.minLat + random() * (ROAD_BOX.maxLat - ROAD_BOX.minLat)];
    }
    const piece = pieces[Math.floor(random() * pieces.length)];
    const t = random();
    const { kx, ky } = metricScale(piece.start[1]);
    const angle = random() * 2 * Math.PI;
    const r = random() * 60;
    return [
      piece.start[0] + t * (piece.end[0] - piece.start[0]) + (r * Math.cos(angle)) / kx,
      piece.start[1] + t * (piece.end[1] - piece.start[1]) + (r * Math.sin(angle)) / ky,
    ];
  });
}

/**
 * The truly nearest segment by scanning every piece of every segment. Same arithmetic as
 * ruler.projectOnLine (minimum squared distance over the pieces, then its square root), written
 * on projectOnSegment because projectOnLine's per-call allocations are slow inside jest's sandbox.
 */
function bruteForceNearest(segments: readonly SegmentInput[], p: LonLat): { index: number; piece: number; distanceM: number } {
  const scale = metricScale(p[1]);
  let index = -1;
  let piece = -1;
  let best = Infinity;
  for (let s = 0; s < segments.length; s++) {
    const c = segments[s].coordinates;
    for (let i = 1; i < c.length; i++) {
      const d2 = projectOnSegment(p[0], p[1], c[i - 1][0], c[i - 1][1], c[i][0], c[i][1], scale).distSqM2;
      if (d2 < best) {
        best = d2;
        index = s;
        piece = i - 1;
      }
    }
  }
  return { index, piece, distanceM: Math.sqrt(best) };
}

/** Agreement with a geodesic computation: within 1 m or 1 %, whichever is looser. */
function expectGeodesicAgreement(actualM: number, geodesicM: number): void {
  expect(Math.abs(actualM - geodesicM)).toBeLessThanOrEqual(Math.max(1, 0.01 * geodesicM));
}

describe(`${SegmentMatcher.name} on Andorra's road pieces`, () => {
  const pieces = readPieces();
  const pieceSegments: SegmentInput[] = pieces.map((p) => ({ id: `${p.wayId}:${p.index}`, coordinates: [p.start, p.end] }));
  const points = randomPoints(pieces, 2000, 20240607);

  it('reads the 22,300 reference pieces', () => {
    expect(pieces).toHaveLength(22300);
  });

  it('matches 2,000 seeded random points exactly as a brute-force scan of every piece does', () => {
    const matcher = SegmentMatcher.build(pieceSegments);
    const results = matcher.matchMany(points, TOLERANCE_M);
    let matched = 0;
    points.forEach((p, i) => {
      const truth = bruteForceNearest(pieceSegments, p);
      const m = results[i];
      if (truth.distanceM > TOLERANCE_M) {
        expect(m).toBeNull();
        return;
      }
      matched++;
      expect(m).not.toBeNull();
      expect(m!.distanceM).toBe(truth.distanceM);
      expect(projectOnLine(p, pieceSegments[m!.segmentIndex].coordinates).distanceM).toBe(truth.distanceM);
      if (m!.segmentIndex !== truth.index) {
        // Only an exact tie may pick another piece, and then the lower index wins.
        expect(m!.segmentIndex).toBeLessThan(truth.index);
      }
      expect(m!.segmentId).toBe(pieceSegments[m!.segmentIndex].id);
    });
    // Both kinds of outcome are exercised: all near points and some of the box points match.
    expect(matched).toBeGreaterThan(1000);
    expect(matched).toBeLessThan(2000);
  });

  it('agrees with Turf geodesic distances and offsets on whole ways', () => {
    const ways = waysFrom(pieces);
    expect(ways).toHaveLength(1325);
    const matcher = SegmentMatcher.build(ways);
    let checked = 0;
    let sameOffsetAsTurf = 0;
    for (const p of points) {
      const m = matcher.match(p[0], p[1], TOLERANCE_M);
      const truth = bruteForceNearest(ways, p);
      if (m === null) {
        expect(truth.distanceM).toBeGreaterThan(TOLERANCE_M);
        continue;
      }
      expect(m.distanceM).toBe(truth.distanceM);
      expect(projectOnLine(p, ways[m.segmentIndex].coordinates).distanceM).toBe(truth.distanceM);
      checked++;
      // Turf's geodesic calls are slow on long ways; a few hundred matches are plenty.
      if (checked > TURF_CHECKS) continue;
      const coords = ways[m.segmentIndex].coordinates;
      const line = lineString(coords.map((c) => [c[0], c[1]]));
      const q = point([p[0], p[1]]);
      expectGeodesicAgreement(m.distanceM, pointToLineDistance(q, line, { units: 'meters' }));
      expectGeodesicAgreement(m.distanceM, distance(q, point(m.point), { units: 'meters' }));

      // The offset is the geodesic length along the way up to the matched point.
      const k = bruteForceNearest([ways[m.segmentIndex]], p).piece;
      let along = distance(point([...coords[k]]), point(m.point), { units: 'meters' });
      for (let i = 0; i < k; i++) along += distance(point([...coords[i]]), point([...coords[i + 1]]), { units: 'meters' });
      expectGeodesicAgreement(m.offsetM, along);

      // Turf's own nearest point gives the same offset, unless Turf (on the sphere) and the ruler
      // (in the plane) break a near-tie between two pieces differently, e.g. around a roundabout.
      const nearest = nearestPointOnLine(line, q, { units: 'meters' }).properties;
      const turfPiece = Math.min(nearest.segmentIndex, coords.length - 2); // the last vertex counts as the last piece
      if (Math.abs(m.offsetM - nearest.totalDistance) <= Math.max(1, 0.01 * nearest.totalDistance)) {
        sameOffsetAsTurf++;
      } else {
        expect(turfPiece).not.toBe(k);
        const [a, b] = [coords[turfPiece], coords[turfPiece + 1]];
        const other = Math.sqrt(projectOnSegment(p[0], p[1], a[0], a[1], b[0], b[1], metricScale(p[1])).distSqM2);
        expect(other - m.distanceM).toBeLessThan(0.05);
      }
    }
    expect(checked).toBeGreaterThan(1000);
    expect(sameOffsetAsTurf).toBeGreaterThan(0.98 * TURF_CHECKS);
  });
});
