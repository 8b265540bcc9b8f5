import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { distanceM, metricScale, projectOnLine, projectOnSegment, type LonLat } from '../geometry/ruler';
import type { SegmentInput } from './packed-segments';
import { SegmentMatcher, type SegmentMatch } from './segment-matcher';

/** Random small networks and points around a centre, built from offsets in metres. */
function scenario(centre: fc.Arbitrary<LonLat>, spanM: number) {
  const offset = fc.double({ min: -spanM, max: spanM, noNaN: true });
  const vertex = fc.tuple(offset, offset);
  return fc
    .record({
      centre,
      segments: fc.array(fc.array(vertex, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 25 }),
      points: fc.array(fc.tuple(fc.double({ min: -1.5 * spanM, max: 1.5 * spanM, noNaN: true }), fc.double({ min: -1.5 * spanM, max: 1.5 * spanM, noNaN: true })), { minLength: 1, maxLength: 20 }),
      toleranceM: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2 * spanM, noNaN: true })),
    })
    .map(({ centre, segments, points, toleranceM }) => {
      const { kx, ky } = metricScale(centre[1]);
      const at = ([x, y]: [number, number]): [number, number] => [centre[0] + x / kx, centre[1] + y / ky];
      const network: SegmentInput[] = segments.map((vs, i) => ({ id: `s${i}`, coordinates: vs.map(at) }));
      return { network, points: points.map(at), toleranceM };
    });
}

/** The truth by brute force: every segment measured with ruler.projectOnLine. */
function bruteForce(network: readonly SegmentInput[], p: LonLat): { index: number; distanceM: number }[] {
  return network.map((s, index) => ({ index, distanceM: projectOnLine(p, s.coordinates).distanceM }));
}

/** Offset along a segment by the lineLengthM convention, at the piece nearest in the query frame. */
function expectedOffset(coords: readonly LonLat[], p: LonLat): number {
  const scale = metricScale(p[1]);
  let best = Infinity;
  let offset = 0;
  let along = 0;
  for (let i = 1; i < coords.length; i++) {
    const pr = projectOnSegment(p[0], p[1], coords[i - 1][0], coords[i - 1][1], coords[i][0], coords[i][1], scale);
    const length = distanceM(coords[i - 1], coords[i]);
    if (pr.distSqM2 < best) {
      best = pr.distSqM2;
      offset = along + pr.t * length;
    }
    along += length;
  }
  return offset;
}

function checkAgainstBruteForce(
  network: readonly SegmentInput[],
  p: LonLat,
  toleranceM: number,
  m: SegmentMatch | null,
  frameTolerance = 1e-3,
): void {
  const all = bruteForce(network, p);
  const best = Math.min(...all.map((c) => c.distanceM));
  if (best > toleranceM) {
    expect(m).toBeNull();
    return;
  }
  expect(m).not.toBeNull();
  const match = m!;
  // Never farther than the tolerance, and exactly as near as the truly nearest segment
  // (when several are equally near, any of them is right; the matcher takes the lowest index).
  expect(match.distanceM).toBeLessThanOrEqual(toleranceM);
  expect(match.distanceM).toBe(best);
  expect(all[match.segmentIndex].distanceM).toBe(best);
  expect(match.segmentId).toBe(network[match.segmentIndex].id);
  const coords = network[match.segmentIndex].coordinates;
  expect(match.offsetM).toBeCloseTo(expectedOffset(coords, p), 6);
  // And close to projectOnLine's own offset, which measures every piece in the query's frame: the
  // two differ by the change of metres per degree of longitude over the segment's latitude span.
  expect(Math.abs(match.offsetM - projectOnLine(p, coords).offsetM)).toBeLessThanOrEqual(frameTolerance * match.offsetM + 1e-6);
}

describe(`${SegmentMatcher.name} properties`, () => {
  it('returns the truly nearest segment within the tolerance (networks of a few km in Andorra)', () => {
    const andorra = fc.tuple(fc.double({ min: 1.42, max: 1.73, noNaN: true }), fc.double({ min: 42.42, max: 42.63, noNaN: true }));
    fc.assert(
      fc.property(scenario(andorra, 2000), ({ network, points, toleranceM }) => {
        const matcher = SegmentMatcher.build(network);
        const results = matcher.matchMany(points, toleranceM);
        points.forEach((p, i) => checkAgainstBruteForce(network, p, toleranceM, results[i]));
      }),
      { numRuns: 300 },
    );
  });

  it('stays exact anywhere on the globe, up to 85° of latitude', () => {
    const anywhere = fc.tuple(fc.double({ min: -179, max: 179, noNaN: true }), fc.double({ min: -85, max: 85, noNaN: true }));
    fc.assert(
      fc.property(scenario(anywhere, 3000), ({ network, points, toleranceM }) => {
        const matcher = SegmentMatcher.build(network);
        points.forEach((p) => checkAgainstBruteForce(network, p, toleranceM, matcher.match(p[0], p[1], toleranceM), 0.02));
      }),
      { numRuns: 200 },
    );
  });

  it('matches when the tolerance equals the nearest distance and not when it is just below it', () => {
    // The boundary case stresses the search box: a box even 0.01 % too small misses here.
    const anywhere = fc.tuple(fc.double({ min: -179, max: 179, noNaN: true }), fc.double({ min: -85, max: 85, noNaN: true }));
    fc.assert(
      fc.property(scenario(anywhere, 3000), ({ network, points }) => {
        const matcher = SegmentMatcher.build(network);
        for (const p of points) {
          const best = Math.min(...bruteForce(network, p).map((c) => c.distanceM));
          if (best > 10_000) continue;
          checkAgainstBruteForce(network, p, best, matcher.match(p[0], p[1], best), 0.02);
          if (best > 0) expect(matcher.match(p[0], p[1], best * (1 - 1e-9))).toBeNull();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('finds pieces that touch the query at tight tolerances (points on or next to vertices)', () => {
    // Points placed exactly on vertices and piece midpoints: the matched distance must be ~0.
    const andorra = fc.constant<LonLat>([1.55, 42.5]);
    fc.assert(
      fc.property(scenario(andorra, 500), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), ({ network }, pick, t) => {
        const segment = network[pick % network.length];
        const i = pick % (segment.coordinates.length - 1);
        const [a, b] = [segment.coordinates[i], segment.coordinates[i + 1]];
        const p: LonLat = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
        const m = SegmentMatcher.build(network).match(p[0], p[1], 0.001);
        expect(m).not.toBeNull();
        checkAgainstBruteForce(network, p, 0.001, m);
      }),
      { numRuns: 300 },
    );
  });
});
