import { describe, expect, it } from '@jest/globals';
import type { Feature, FeatureCollection, LineString } from 'geojson';
import { distanceM, metricScale, projectOnLine } from '../geometry/ruler';
import { MatchErrorCode, MatchException } from './match.exception';
import { packSegments, type SegmentInput } from './packed-segments';
import { MAX_TOLERANCE_M, SegmentMatcher } from './segment-matcher';

// Golden cases on hand-made segments near Andorra la Vella (lat 42.5°), where
// 1 m ≈ 1/kx degrees of longitude and 1/ky degrees of latitude.
const LAT = 42.5;
const { kx, ky } = metricScale(LAT);
const east = (m: number): number => m / kx;
const north = (m: number): number => m / ky;

const horizontal: SegmentInput = { id: 'h', coordinates: [[1.5, LAT], [1.5 + east(100), LAT]] };
// An L: 100 m east, then 50 m north.
const ell: SegmentInput = {
  id: 'ell',
  coordinates: [
    [1.51, LAT],
    [1.51 + east(100), LAT],
    [1.51 + east(100), LAT + north(50)],
  ],
};

function thrown(fn: () => unknown): MatchException {
  try {
    fn();
  } catch (err) {
    if (err instanceof MatchException) return err;
    throw err;
  }
  throw new Error('expected a MatchException');
}

function feature(id: string | number | undefined, coordinates: number[][], where: 'properties' | 'id' = 'properties'): Feature<LineString> {
  return {
    type: 'Feature',
    ...(where === 'id' && id !== undefined ? { id } : {}),
    properties: where === 'properties' ? { id } : {},
    geometry: { type: 'LineString', coordinates },
  };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe(SegmentMatcher.name, () => {
  describe('golden cases', () => {
    const matcher = SegmentMatcher.build([horizontal, ell]);

    it('measures the perpendicular distance and the offset from the first vertex', () => {
      const m = matcher.match(1.5 + east(30), LAT + north(10), 50);
      expect(m).not.toBeNull();
      expect(m!.segmentId).toBe('h');
      expect(m!.segmentIndex).toBe(0);
      expect(m!.distanceM).toBeCloseTo(10, 3);
      expect(m!.offsetM).toBeCloseTo(30, 3);
      expect(m!.point[0]).toBeCloseTo(1.5 + east(30), 9);
      expect(m!.point[1]).toBe(LAT);
    });

    it('clamps to the end vertex beyond the end of a segment', () => {
      const m = matcher.match(1.5 + east(103), LAT - north(4), 50);
      expect(m!.segmentId).toBe('h');
      expect(m!.distanceM).toBeCloseTo(5, 3);
      expect(m!.offsetM).toBeCloseTo(100, 3);
    });

    it('clamps to the first vertex before its start', () => {
      const m = matcher.match(1.5 - east(6), LAT + north(8), 50);
      expect(m!.distanceM).toBeCloseTo(10, 3);
      expect(m!.offsetM).toBe(0);
    });

    it('adds the lengths of earlier pieces to the offset on a later piece', () => {
      const m = matcher.match(1.51 + east(107), LAT + north(20), 50);
      expect(m!.segmentId).toBe('ell');
      expect(m!.distanceM).toBeCloseTo(7, 3);
      expect(m!.offsetM).toBeCloseTo(120, 3);
    });

    it('reports the full length at the far end, as lineLengthM would', () => {
      const end = ell.coordinates[2];
      const m = matcher.match(end[0], end[1] + north(3), 10);
      expect(m!.offsetM).toBeCloseTo(150, 3);
      expect(m!.distanceM).toBeCloseTo(3, 3);
    });

    it('returns null when the nearest segment is beyond the tolerance', () => {
      expect(matcher.match(1.5 + east(50), LAT + north(20), 19.99)).toBeNull();
      expect(matcher.match(1.5 + east(50), LAT + north(20), 20.01)!.segmentId).toBe('h');
      expect(matcher.match(1.2, 42.2, MAX_TOLERANCE_M)).toBeNull();
    });

    it('includes a segment exactly at the tolerance', () => {
      const m = matcher.match(1.5 + east(50), LAT + north(20), 50)!;
      expect(matcher.match(1.5 + east(50), LAT + north(20), m.distanceM)).toEqual(m);
    });

    it('matches a vertex at distance 0 with tolerance 0, and a point on a piece within rounding', () => {
      const m = matcher.match(1.5 + east(100), LAT, 0);
      expect(m!.segmentId).toBe('h');
      expect(m!.distanceM).toBe(0);
      expect(m!.offsetM).toBeCloseTo(100, 6);
      expect(matcher.match(1.5 + east(40), LAT, 1e-6)!.distanceM).toBeLessThan(1e-6);
    });

    it('picks the nearer of two segments, not the first found', () => {
      // Between h (ends at 1.5 + 100 m) and ell (starts at 1.51 ≈ 820 m east of 1.5).
      const m = matcher.match(1.51 - east(10), LAT + north(1), 500);
      expect(m!.segmentId).toBe('ell');
      expect(m!.offsetM).toBe(0);
    });

    it('answers matchMany in input order', () => {
      const results = matcher.matchMany(
        [
          [1.51 + east(107), LAT + north(20)],
          [1.2, 42.2],
          [1.5 + east(30), LAT + north(10)],
        ],
        50,
      );
      expect(results.map((r) => r?.segmentId ?? null)).toEqual(['ell', null, 'h']);
    });
  });

  describe('ties', () => {
    const twin = (id: string): SegmentInput => ({ id, coordinates: horizontal.coordinates });

    it('goes to the lowest segment index whatever the order of ids', () => {
      const p: [number, number] = [1.5 + east(30), LAT + north(10)];
      expect(SegmentMatcher.build([twin('b'), twin('a')]).match(p[0], p[1], 50)!.segmentId).toBe('b');
      expect(SegmentMatcher.build([twin('a'), twin('b')]).match(p[0], p[1], 50)!.segmentId).toBe('a');
    });

    it('goes to the lowest index among many identical segments, whatever order the index stores them in', () => {
      const twins = Array.from({ length: 200 }, (_, i) => twin(`t${String(199 - i).padStart(3, '0')}`));
      const others = Array.from({ length: 300 }, (_, i): SegmentInput => ({
        id: `o${i}`,
        coordinates: [[1.5 + east(i * 7), LAT + north(40)], [1.5 + east(i * 7 + 5), LAT + north(45)]],
      }));
      const matcher = SegmentMatcher.build([...others, ...twins]);
      for (const m of [10, 55, 90]) {
        const match = matcher.match(1.5 + east(m), LAT + north(3), 20)!;
        expect(match.segmentIndex).toBe(300);
        expect(match.segmentId).toBe('t199');
      }
    });

    it('is stable across repeated queries', () => {
      const matcher = SegmentMatcher.build([twin('x'), twin('y'), twin('z')]);
      const first = matcher.match(1.5 + east(1), LAT, 5);
      for (let i = 0; i < 10; i++) expect(matcher.match(1.5 + east(1), LAT, 5)).toEqual(first);
      expect(first!.segmentIndex).toBe(0);
    });
  });

  describe('inputs', () => {
    it('accepts a FeatureCollection, a feature array, plain segments and packed segments alike', () => {
      const coordinates = horizontal.coordinates.map((c) => [c[0], c[1]]);
      const collection: FeatureCollection<LineString> = { type: 'FeatureCollection', features: [feature('h', coordinates)] };
      const p: [number, number] = [1.5 + east(30), LAT + north(10)];
      const expected = SegmentMatcher.build([horizontal]).match(p[0], p[1], 50);
      expect(SegmentMatcher.build(collection).match(p[0], p[1], 50)).toEqual(expected);
      expect(SegmentMatcher.build([feature('h', coordinates)]).match(p[0], p[1], 50)).toEqual(expected);
      expect(SegmentMatcher.build(packSegments([horizontal])).match(p[0], p[1], 50)).toEqual(expected);
    });

    it('reads the id from properties.id, else from the feature id, numbers as strings', () => {
      const coordinates = [[1.5, LAT], [1.5 + east(10), LAT]];
      expect(SegmentMatcher.build([feature(42, coordinates, 'id')]).match(1.5, LAT, 1)!.segmentId).toBe('42');
      expect(SegmentMatcher.build([feature('w1', coordinates)]).match(1.5, LAT, 1)!.segmentId).toBe('w1');
    });

    it('ignores a third (elevation) ordinate', () => {
      const m = SegmentMatcher.build([feature('z', [[1.5, LAT, 1000], [1.5 + east(10), LAT, 1010]])]).match(1.5, LAT + north(2), 5);
      expect(m!.distanceM).toBeCloseTo(2, 3);
    });

    it('handles a zero-length piece', () => {
      const m = SegmentMatcher.build([{ id: 'dot', coordinates: [[1.5, LAT], [1.5, LAT]] }]).match(1.5, LAT + north(3), 5);
      expect(m!.distanceM).toBeCloseTo(3, 3);
      expect(m!.offsetM).toBe(0);
    });

    it('returns null for every query on an empty network', () => {
      const matcher = SegmentMatcher.build([]);
      expect(matcher.match(1.5, LAT, MAX_TOLERANCE_M)).toBeNull();
      expect(matcher.segmentCount).toBe(0);
    });

    it('does not mutate its input', () => {
      const input = deepFreeze([
        { id: 'a', coordinates: [[1.5, LAT], [1.6, LAT]] as [number, number][] },
        { id: 'b', coordinates: [[1.5, LAT + 0.01], [1.6, LAT + 0.01]] as [number, number][] },
      ]);
      const before = JSON.stringify(input);
      const matcher = SegmentMatcher.build(input);
      matcher.matchMany([[1.55, LAT + 0.001]], 500);
      expect(JSON.stringify(input)).toBe(before);
    });

    it('counts segments and pieces', () => {
      const matcher = SegmentMatcher.build([horizontal, ell]);
      expect(matcher.segmentCount).toBe(2);
      expect(matcher.pieceCount).toBe(3);
    });
  });

  describe('validation', () => {
    const matcher = SegmentMatcher.build([horizontal]);

    it.each([
      ['NaN lon', NaN, LAT],
      ['NaN lat', 1.5, NaN],
      ['infinite lon', Infinity, LAT],
      ['infinite lat', 1.5, -Infinity],
      ['lon above 180', 180.0001, LAT],
      ['lon below -180', -181, LAT],
      ['lat above 90', 1.5, 90.5],
      ['lat below -90', 1.5, -91],
    ])('rejects a point with %s', (_name, lon, lat) => {
      expect(thrown(() => matcher.match(lon, lat, 50)).code).toBe(MatchErrorCode.InvalidCoordinate);
    });

    it('accepts the extreme valid coordinates', () => {
      expect(matcher.match(180, 90, 50)).toBeNull();
      expect(matcher.match(-180, -90, 50)).toBeNull();
    });

    it.each([
      ['negative', -1],
      ['NaN', NaN],
      ['infinite', Infinity],
      ['absurdly large', MAX_TOLERANCE_M + 1],
      ['not a number', '50' as unknown as number],
    ])('rejects a tolerance that is %s', (_name, tolerance) => {
      expect(thrown(() => matcher.match(1.5, LAT, tolerance)).code).toBe(MatchErrorCode.InvalidTolerance);
    });

    it('names the bad point of a batch and matches none of it', () => {
      const err = thrown(() => matcher.matchMany([[1.5, LAT], [1.5, 95]], 50));
      expect(err.code).toBe(MatchErrorCode.InvalidCoordinate);
      expect(err.details.pointIndex).toBe(1);
      expect(err.message).toContain('point 1');
    });

    it.each([
      ['one vertex', [{ id: 'a', coordinates: [[1.5, LAT]] }], MatchErrorCode.InvalidSegment],
      ['a NaN vertex', [{ id: 'a', coordinates: [[1.5, LAT], [NaN, LAT]] }], MatchErrorCode.InvalidSegment],
      ['a vertex out of range', [{ id: 'a', coordinates: [[1.5, LAT], [1.5, 91]] }], MatchErrorCode.InvalidSegment],
      ['an empty id', [{ id: '', coordinates: horizontal.coordinates }], MatchErrorCode.InvalidSegment],
      ['a duplicate id', [horizontal, horizontal], MatchErrorCode.DuplicateSegmentId],
    ])('rejects segments with %s', (_name, segments, code) => {
      const err = thrown(() => SegmentMatcher.build(segments as SegmentInput[]));
      expect(err.code).toBe(code);
    });

    it('names the index of a bad feature', () => {
      const good = feature('a', [[1.5, LAT], [1.6, LAT]]);
      const polygon = { type: 'Feature', properties: { id: 'p' }, geometry: { type: 'Polygon', coordinates: [] } } as unknown as Feature<LineString>;
      const err = thrown(() => SegmentMatcher.build([good, polygon]));
      expect(err.code).toBe(MatchErrorCode.InvalidSegment);
      expect(err.details.featureIndex).toBe(1);
      expect(err.message).toMatch(/^segment 1: .*LineString.*Polygon/);
      expect(thrown(() => SegmentMatcher.build([feature(undefined, [[1.5, LAT], [1.6, LAT]])])).code).toBe(MatchErrorCode.InvalidSegment);
    });

    it('rejects inconsistent packed segments', () => {
      const packed = { ids: ['a'], vertexStart: new Uint32Array([0, 2]), coords: new Float64Array([1.5, LAT, 1.6]) };
      expect(thrown(() => SegmentMatcher.build(packed)).code).toBe(MatchErrorCode.InvalidSegment);
    });
  });

  it('measures exactly like ruler.projectOnLine: in the frame of the query point', () => {
    const p: [number, number] = [1.5 + east(60), LAT + north(30)];
    const m = SegmentMatcher.build([ell]).match(p[0], p[1], 5000)!;
    expect(m.distanceM).toBe(projectOnLine(p, ell.coordinates).distanceM);
    expect(m.offsetM).toBeCloseTo(projectOnLine(p, ell.coordinates).offsetM, 6);
    expect(m.distanceM).toBeCloseTo(distanceM(p, ell.coordinates[0], metricScale(p[1])), 9);
  });
  it('answers through matchInto, and through an index handed on with toData, exactly as match does', () => {
    const matcher = SegmentMatcher.build([horizontal, ell, { id: 'far', coordinates: [[1.6, 42.6], [1.61, 42.61]] }]);
    const opened = SegmentMatcher.fromData(matcher.toData());
    expect(matcher.toData().slots.buffer).toBeInstanceOf(SharedArrayBuffer);
    const result = new Float64Array(4);
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let i = 0; i < 2000; i++) {
      const lon = 1.49 + random() * 0.04;
      const lat = LAT - 0.0005 + random() * 0.002;
      const tolerance = random() * 120;
      const m = matcher.match(lon, lat, tolerance);
      result[0] = lon;
      result[1] = lat;
      const index = matcher.matchInto(result, tolerance);
      expect(opened.match(lon, lat, tolerance)).toEqual(m);
      if (m === null) expect(index).toBe(-1);
      else {
        expect([matcher.segmentId(index), index, result[0], result[1], [result[2], result[3]]]).toEqual([m.segmentId, m.segmentIndex, m.distanceM, m.offsetM, m.point]);
      }
    }
    expect(SegmentMatcher.fromData(SegmentMatcher.build([]).toData()).match(1.5, LAT, 50)).toBeNull();
  });
});
