import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { expectGolden, goldenCases } from '../../test/golden';
import { goldenOutput, scoreFixture } from '../../test/fixture-engine';
import { LocalFrame } from '../geometry/planar';
import type { LonLat } from '../geometry/ruler';
import { WaterIndex, waterDistanceOfLine } from './water.attribute';

const { hypot } = Math; // a local alias: global lookups are slow in jest's sandbox

describe('water attributes (golden fixtures)', () => {
  for (const c of goldenCases('water')) {
    it(`${c.name}: ${String(c.params.description)}`, () => {
      const { segments } = scoreFixture(c, { water: { searchRadiusM: c.params.searchRadiusM, besideMaxM: c.params.besideMaxM } });
      expect(segments.features).toHaveLength(1);
      const p = segments.features[0].properties;
      const expected = c.params.expected as { waterDistanceM: number | null; waterSide: string | null; waterType: string | null };
      if (expected.waterDistanceM === null) expect(p.waterDistanceM).toBeNull();
      else expect(p.waterDistanceM).toBeCloseTo(expected.waterDistanceM, 1);
      expect(p.waterSide).toBe(expected.waterSide);
      expect(p.waterType).toBe(expected.waterType);
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

  it('handles an index without any water', () => {
    const index = WaterIndex.build([], []);
    expect(waterDistanceOfLine(index, [at(0, 0), at(10, 0)], 500)).toBeNull();
  });
});
