import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectGolden, goldenCases } from '../../test/golden';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { LocalFrame, pointInRings, segmentsIntersect } from '../geometry/planar';
import type { LonLat } from '../geometry/ruler';
import { WaterIndex, waterDistanceOfLine } from './water.attribute';

const { hypot } = Math; // a local alias: global lookups are slow in jest's sandbox

interface ExpectedWater {
  waterDistanceM: number | null;
  waterSide: string | null;
  waterType: string | null;
  /** Mean water points per side (the score's roadside water), when the fixture states them. */
  roadsideWater?: { left: number; right: number };
}

describe('water attributes (golden fixtures)', () => {
  for (const c of goldenCases('water')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c, { water: { searchRadiusM: c.params.searchRadiusM, besideMaxM: c.params.besideMaxM } });
      // One expectation per segment of the fixture's road, in order (a single object: one segment).
      const expected = [c.params.expected].flat() as ExpectedWater[];
      expect(segments.features).toHaveLength(expected.length);
      expected.forEach((e, i) => {
        const p = segments.features[i].properties;
        if (e.waterDistanceM === null) expect(p.waterDistanceM).toBeNull();
        else expect(p.waterDistanceM).toBeCloseTo(e.waterDistanceM, 1);
        expect(p.waterSide).toBe(e.waterSide);
        expect(p.waterType).toBe(e.waterType);
        if (e.roadsideWater) {
          expect(p.roadside.left.water).toBeCloseTo(e.roadsideWater.left, 2);
          expect(p.roadside.right.water).toBeCloseTo(e.roadsideWater.right, 2);
        }
      });
      expectGolden(c, goldenOutput(c, segments.features, ['waterDistanceM', 'waterSide', 'waterType', 'waterName', 'waterLeftM', 'waterRightM']));
    });
  }
});

describe(waterDistanceOfLine.name, () => {
  const frame = new LocalFrame(1.5, 42.5);
  const at = (x: number, y: number): LonLat => [frame.lon(x), frame.lat(y)];

  it('is the exact planar distance between two segments (brute force over dense samples)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: -300, max: 300, noNaN: true })),
        fc.tuple(fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: -300, max: 300, noNaN: true })),
        fc.tuple(fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: -300, max: 300, noNaN: true })),
        fc.tuple(fc.double({ min: -300, max: 300, noNaN: true }), fc.double({ min: -300, max: 300, noNaN: true })),
        (a, b, c, d) => {
          fc.pre(hypot(a[0] - b[0], a[1] - b[1]) > 0.5 && hypot(c[0] - d[0], c[1] - d[1]) > 0.5);
          const index = WaterIndex.build([{ id: 'w1', type: 'river', coords: [at(c[0], c[1]), at(d[0], d[1])] }], []);
          const got = waterDistanceOfLine(index, [at(a[0], a[1]), at(b[0], b[1])], 2000);
          expect(got).not.toBeNull();
          // Brute force in the same metric frame: the minimum over 400 × 400 sample pairs is an upper
          // bound that converges on the true distance.
          let brute = Infinity;
          const n = 400;
          for (let i = 0; i <= n; i++) {
            const px = a[0] + ((b[0] - a[0]) * i) / n;
            const py = a[1] + ((b[1] - a[1]) * i) / n;
            for (let j = 0; j <= n; j++) {
              const qx = c[0] + ((d[0] - c[0]) * j) / n;
              const qy = c[1] + ((d[1] - c[1]) * j) / n;
              const dist = hypot(px - qx, py - qy);
              if (dist < brute) brute = dist;
            }
          }
          expect(got!).toBeGreaterThanOrEqual(0);
          expect(got!).toBeLessThanOrEqual(brute + 0.01);
          expect(brute - got!).toBeLessThan(1.5); // sample spacing ≤ 600·√2/400 m
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('is null beyond the radius and 0 inside an area', () => {
    const lake: LonLat[] = [at(-50, -50), at(50, -50), at(50, 50), at(-50, 50), at(-50, -50)];
    const index = WaterIndex.build([], [{ id: 'w9', type: 'lake', rings: [lake] }]);
    expect(waterDistanceOfLine(index, [at(-10, 0), at(10, 0)], 100)).toBe(0);
    expect(waterDistanceOfLine(index, [at(200, 0), at(210, 0)], 100)).toBeNull();
    expect(waterDistanceOfLine(index, [at(80, 0), at(90, 0)], 100)).toBeCloseTo(30, 6);
  });

  it('puts a road over the sea exactly when it lies outside an island ring, or inside a ring drawn clockwise (property)', () => {
    // Vertices by increasing angle around the origin, no gap of half a turn: a simple ring holding
    // the origin, counter-clockwise, so the land (on the coastline's left) is inside.
    const ring = fc
      .array(fc.tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.double({ min: 60, max: 300, noNaN: true })), { minLength: 4, maxLength: 12 })
      .map((vs) => {
        const total = vs.reduce((sum, [g]) => sum + g, 0);
        let angle = 0;
        return vs.map(([gap, r]) => {
          angle += (2 * Math.PI * gap) / total;
          return [r * Math.cos(angle), r * Math.sin(angle)] as [number, number];
        });
      });
    const coord = fc.double({ min: -350, max: 350, noNaN: true });
    fc.assert(
      fc.property(ring, coord, coord, coord, coord, fc.boolean(), (pts, x, y, dx, dy, clockwise) => {
        const a: [number, number] = [x, y];
        const b: [number, number] = [x + dx / 10, y + dy / 10];
        fc.pre(hypot(b[0] - a[0], b[1] - a[1]) > 0.5);
        const closed = [...pts, pts[0]];
        for (let i = 0; i + 1 < closed.length; i++) {
          fc.pre(!segmentsIntersect(a[0], a[1], b[0], b[1], closed[i][0], closed[i][1], closed[i + 1][0], closed[i + 1][1]));
        }
        const coast = (clockwise ? [...closed].reverse() : closed).map(([px, py]) => at(px, py));
        const index = WaterIndex.build([{ id: 'w1', type: 'sea', coords: coast }], []);
        const inside = pointInRings(a[0], a[1], [closed]);
        const d = waterDistanceOfLine(index, [at(a[0], a[1]), at(b[0], b[1])], 2000);
        expect(d === 0).toBe(clockwise ? inside : !inside);
      }),
      { numRuns: 400 },
    );
  });

  it('handles an index without any water', () => {
    const index = WaterIndex.build([], []);
    expect(waterDistanceOfLine(index, [at(0, 0), at(10, 0)], 500)).toBeNull();
  });
});
