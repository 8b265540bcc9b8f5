import { describe, expect, it } from '@jest/globals';
import type { LonLat } from '../geometry/ruler';
import { buildPolygons, findRingConflict, pointInRing, signedArea2 } from './polygon-builder';

const square = (x: number, y: number, s: number): LonLat[] => [
  [x, y],
  [x + s, y],
  [x + s, y + s],
  [x, y + s],
  [x, y],
];
const reversed = (r: LonLat[]) => [...r].reverse();

describe('buildPolygons', () => {
  it('turns outer rings counter-clockwise and holes clockwise (RFC 7946)', () => {
    const r = buildPolygons([reversed(square(0, 0, 10))], [square(2, 2, 2)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.polygons).toHaveLength(1);
    const [outer, hole] = r.polygons[0];
    expect(signedArea2(outer)).toBeGreaterThan(0);
    expect(signedArea2(hole)).toBeLessThan(0);
    expect(outer).toEqual(square(0, 0, 10));
  });

  it('gives each hole to the smallest outer ring that holds it, including an island inside a hole', () => {
    const r = buildPolygons([square(0, 0, 10), square(4, 4, 2), square(20, 0, 5)], [square(3, 3, 4), square(21, 1, 1)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.polygons.map((p) => p.length)).toEqual([2, 2, 1]); // by area: big square + hole, 5-square + hole, island
    expect(r.polygons[0][1]).toEqual(reversed(square(3, 3, 4)));
    expect(r.polygons[1][1]).toEqual(reversed(square(21, 1, 1)));
  });

  it.each([
    ['a self-crossing ring', [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]], [], /ring self-intersection near 0\.500000,0\.500000/],
    ['a ring touching itself', [[[0, 0], [4, 0], [4, 4], [2, 0], [0, 4], [0, 0]]], [], /ring self-intersection near 2\.000000,0\.000000/],
    ['crossing outer rings', [square(0, 0, 2), square(1, 1, 2)], [], /rings cross/],
    ['outer rings sharing an edge', [square(0, 0, 2), square(2, 0, 2)], [], /rings share an edge/],
    ['an outer ring inside another', [square(0, 0, 10), square(2, 2, 2)], [], /outer ring near .* lies inside another outer ring/],
    ['a hole outside every outer ring', [square(0, 0, 2)], [square(5, 5, 1)], /inner ring near 5\.000000,5\.000000 lies outside every outer ring/],
    ['a hole inside a hole', [square(0, 0, 10)], [square(2, 2, 6), square(3, 3, 1)], /inner ring .* lies inside another inner ring/],
    ['only holes', [], [square(0, 0, 1)], /only inner rings/],
    ['a flat ring', [[[0, 0], [1, 0], [2, 0], [0, 0]]], [], /ring self-intersection/],
  ] as [string, LonLat[][], LonLat[][], RegExp][])('rejects %s', (_name, outers, inners, reason) => {
    const r = buildPolygons(outers, inners);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('lets rings of different polygons touch at a single point', () => {
    expect(findRingConflict([square(0, 0, 1), square(1, 1, 1)])).toBeNull();
    expect(buildPolygons([square(0, 0, 1), square(1, 1, 1)], []).ok).toBe(true);
  });

  it('tests points in rings by the even–odd rule', () => {
    expect(pointInRing([0.5, 0.5], square(0, 0, 1))).toBe(true);
    expect(pointInRing([1.5, 0.5], square(0, 0, 1))).toBe(false);
  });
});
