import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ClosestPair, closestOnSegment, closestPairToPolyline, segmentsIntersect } from './planar';

const coord = fc.double({ min: -200, max: 200, noNaN: true });
const point = fc.tuple(coord, coord);

describe(closestPairToPolyline.name, () => {
  it('finds the pair at the smallest distance between the polyline and the segment, with both points on them (property)', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 2, maxLength: 6 }), point, point, (line, c, d) => {
        const xs = Float64Array.from(line, (p) => p[0]);
        const ys = Float64Array.from(line, (p) => p[1]);
        const pair = closestPairToPolyline(xs, ys, c[0], c[1], d[0], d[1], new ClosestPair());
        let meets = false;
        let best2 = Infinity;
        for (let j = 0; j + 1 < line.length; j++) {
          const [ax, ay] = line[j];
          const [bx, by] = line[j + 1];
          if (segmentsIntersect(ax, ay, bx, by, c[0], c[1], d[0], d[1])) meets = true;
          best2 = Math.min(
            best2,
            closestOnSegment(ax, ay, c[0], c[1], d[0], d[1]),
            closestOnSegment(bx, by, c[0], c[1], d[0], d[1]),
            closestOnSegment(c[0], c[1], ax, ay, bx, by),
            closestOnSegment(d[0], d[1], ax, ay, bx, by),
          );
        }
        expect(pair.meets).toBe(meets);
        if (meets) return;
        expect(pair.d2).toBe(best2);
        // p lies on edge `edge` at t, q on c→d, and they are d apart.
        const [ax, ay] = line[pair.edge];
        const [bx, by] = line[pair.edge + 1];
        expect(pair.t).toBeGreaterThanOrEqual(0);
        expect(pair.t).toBeLessThanOrEqual(1);
        expect(closestOnSegment(pair.px, pair.py, ax, ay, bx, by)).toBeLessThan(1e-9);
        expect(closestOnSegment(pair.qx, pair.qy, c[0], c[1], d[0], d[1])).toBeLessThan(1e-9);
        expect(Math.hypot(pair.px - pair.qx, pair.py - pair.qy)).toBeCloseTo(Math.sqrt(best2), 6);
      }),
    );
  });

  it('reports a crossing as meeting, and a parallel offset as its distance', () => {
    const xs = Float64Array.of(0, 10, 20);
    const ys = Float64Array.of(0, 0, 0);
    expect(closestPairToPolyline(xs, ys, 15, -5, 15, 5, new ClosestPair()).meets).toBe(true);
    const pair = closestPairToPolyline(xs, ys, 2, 3, 8, 3, new ClosestPair());
    expect(pair).toMatchObject({ meets: false, d2: 9, edge: 0, t: 0.2, px: 2, py: 0, qx: 2, qy: 3 });
  });
});
