import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectGolden, goldenCases } from '../../test/golden';
import { cumulativeLengthsM } from '../geometry/polyline';
import { lineLengthM, metricScale, type LonLat } from '../geometry/ruler';
import { networkFromGeoJson } from '../osm/geojson-network';
import type { RoadWay } from '../osm/network.types';
import { pieceCount, segmentWay } from './segment-way';

describe('segmentation (golden fixtures)', () => {
  for (const c of goldenCases('segment')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const network = networkFromGeoJson(c.input);
      const max = c.params.maxSegmentM as number;
      const pieces = network.roads.flatMap((w) => segmentWay(w, max));
      const expected = c.params.expected as { pieces: Record<string, number>; skippedRoadWays?: number };
      const counts: Record<string, number> = {};
      for (const p of pieces) counts[`w${p.wayId}`] = (counts[`w${p.wayId}`] ?? 0) + 1;
      expect(counts).toEqual(expected.pieces);
      if (expected.skippedRoadWays !== undefined) expect(network.stats.skippedRoadWays).toBe(expected.skippedRoadWays);
      for (const p of pieces) expect(p.lengthM).toBeLessThanOrEqual(max + 1e-9);
      expectGolden(c, {
        type: 'FeatureCollection',
        properties: c.params,
        features: pieces.map((p) => ({
          type: 'Feature',
          properties: { id: p.id, index: p.index, lengthM: Math.round(p.lengthM * 100) / 100 },
          geometry: { type: 'LineString', coordinates: p.coords.map((q) => [Math.round(q[0] * 1e7) / 1e7, Math.round(q[1] * 1e7) / 1e7]) },
        })),
      });
    });
  }
});

describe(segmentWay.name, () => {
  const { kx, ky } = metricScale(42.5);
  const FRAME_TOLERANCE = (Math.tan((42.5 * Math.PI) / 180) * 200) / 6_371_000 + 1e-9;
  // Random walks in metres around Andorra, with repeated points (duplicate nodes) now and then.
  const walk = fc
    .array(fc.tuple(fc.double({ min: 0, max: 400, noNaN: true }), fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 30 })
    .map((steps) => {
      const coords: LonLat[] = [[1.5, 42.5]];
      for (const [len, heading, repeat] of steps) {
        const [lon, lat] = coords[coords.length - 1];
        coords.push(repeat ? [lon, lat] : [lon + (len * Math.sin(heading)) / kx, lat + (len * Math.cos(heading)) / ky]);
      }
      return coords;
    });

  const way = (coords: LonLat[]): RoadWay => {
    const deduped = coords.filter((c, i) => i === 0 || c[0] !== coords[i - 1][0] || c[1] !== coords[i - 1][1]);
    return { id: 7, roadClass: 'track', tags: { highway: 'track' }, lines: deduped.length >= 2 ? [deduped] : [] };
  };

  it('cuts every way into pieces of at most the maximum that add up to the way (property)', () => {
    fc.assert(
      fc.property(walk, fc.double({ min: 5, max: 500, noNaN: true }), (coords, max) => {
        const w = way(coords);
        const pieces = segmentWay(w, max);
        const total = w.lines.length ? lineLengthM(w.lines[0]) : 0;
        if (total === 0) {
          expect(pieces).toEqual([]);
          return;
        }
        expect(pieces).toHaveLength(pieceCount(total, max));
        let sum = 0;
        pieces.forEach((p, i) => {
          expect(p.index).toBe(i);
          expect(p.id).toBe(`w7-${i}`);
          expect(p.lengthM).toBeGreaterThan(0);
          expect(p.lengthM).toBeLessThanOrEqual(max * (1 + 1e-9));
          // The piece's own geometry is as long as the stretch of way it stands for, but for the
          // metric frame: each edge is measured at its own mid-latitude, and a piece's part of an edge
          // (up to the walk's 400 m) lies up to 200 m from the edge's middle, which changes the
          // frame's east-west scale by up to tan(42.5°) × 200 m / 6,371 km ≈ 2.9e-5.
          expect(Math.abs(lineLengthM(p.coords) - p.lengthM)).toBeLessThan(FRAME_TOLERANCE * Math.max(1, p.lengthM));
          sum += p.lengthM;
        });
        expect(Math.abs(sum - total)).toBeLessThan(1e-9 * Math.max(1, total));
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same ids for the same way (re-imports keep ids)', () => {
    const coords: LonLat[] = [[1.5, 42.5], [1.503, 42.5], [1.503, 42.502]];
    const a = segmentWay(way(coords), 100).map((p) => p.id);
    const b = segmentWay(way(coords.map((c) => [c[0], c[1]] as LonLat)), 100).map((p) => p.id);
    expect(a).toEqual(b);
    expect(a[0]).toBe('w7-0');
  });

  it('numbers pieces across the runs of a way cut at the extract edge', () => {
    const run1: LonLat[] = [[1.5, 42.5], [1.5015, 42.5]];
    const run2: LonLat[] = [[1.51, 42.5], [1.5115, 42.5]];
    const pieces = segmentWay({ id: 9, roadClass: 'primary', tags: {}, lines: [run1, run2] }, 100);
    expect(pieces.map((p) => p.id)).toEqual(['w9-0', 'w9-1', 'w9-2', 'w9-3']);
  });

  it('rejects a non-positive maximum', () => {
    expect(() => segmentWay(way([[1.5, 42.5], [1.51, 42.5]]), 0)).toThrow(RangeError);
  });

  it('pieceCount does not add a sliver piece for floating-point excess', () => {
    expect(pieceCount(200.0000000001, 100)).toBe(2);
    expect(pieceCount(200.01, 100)).toBe(3);
    expect(pieceCount(0.3, 100)).toBe(1);
    expect(cumulativeLengthsM([[1.5, 42.5]])[0]).toBe(0);
  });
});
