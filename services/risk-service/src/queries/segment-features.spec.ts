import { describe, expect, it } from '@jest/globals';
import { booleanIntersects, bboxPolygon, lineString } from '@turf/turf';
import fc from 'fast-check';
import type { Bbox } from '@roadloop/http';
import { SegmentFeatureIndex, StaticSegment, polylineTouchesBox } from './segment-features';

const segment = (id: string, coordinates: number[][], overrides: Partial<StaticSegment> = {}): StaticSegment => ({
  id,
  osmWayId: 1,
  roadClass: 'secondary',
  name: null,
  lengthM: 80,
  exposureScore: 3,
  exposureLevel: 'very_low',
  waterSide: null,
  cliffSide: null,
  geometryJson: JSON.stringify({ type: 'LineString', coordinates }),
  ...overrides,
});

describe(polylineTouchesBox.name, () => {
  const box: Bbox = [0, 0, 1, 1];

  it('sees a vertex inside, an edge crossing without a vertex inside, a touch on the border, and a miss', () => {
    expect(polylineTouchesBox([0.5, 0.5, 2, 2], box)).toBe(true);
    expect(polylineTouchesBox([-1, 0.5, 2, 0.5], box)).toBe(true);
    expect(polylineTouchesBox([-1, 1, 2, 1], box)).toBe(true);
    expect(polylineTouchesBox([-1, 3.5, 3.5, -1], box)).toBe(false);
    expect(polylineTouchesBox([-1, 1.5, 1.5, -1], box)).toBe(true);
  });

  it('agrees with Turf on random lines and boxes', () => {
    // Coordinates and box corners on a 0.001° grid (near-misses by one unit in the last place are not the question here).
    const milli = fc.integer({ min: -2000, max: 2000 });
    fc.assert(
      fc.property(fc.array(fc.tuple(milli, milli), { minLength: 2, maxLength: 5 }), milli, milli, (points, x, y) => {
        const b: Bbox = [x / 1000, y / 1000, (x + 1000) / 1000, (y + 500) / 1000];
        const line = points.map(([px, py]) => [px / 1000, py / 1000]);
        const expected = booleanIntersects(lineString(line), bboxPolygon(b));
        expect(polylineTouchesBox(line.flat(), b)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe(SegmentFeatureIndex.name, () => {
  const index = new SegmentFeatureIndex([
    segment('w2-0', [[1.5, 42.5], [1.51, 42.5]], { waterSide: 'right', name: 'River "road"', sidesAtStake: ['right'] }),
    segment('w10-0', [[1.6, 42.6], [1.61, 42.61]], { roadClass: 'primary', cliffSide: 'left' }),
    segment('w1-0', [[1.505, 42.49], [1.505, 42.51]]),
  ]);
  const all: Bbox = [1.4, 42.4, 1.7, 42.7];

  it('lists what touches the box in byte-wise id order, after the static filters', () => {
    const ids = (b: Bbox, f = {}) => index.candidates(b, f).map((p) => index.idOf(p));
    expect(ids(all)).toEqual(['w1-0', 'w10-0', 'w2-0']);
    expect(ids([1.5, 42.495, 1.52, 42.505])).toEqual(['w1-0', 'w2-0']);
    expect(ids(all, { waterSide: true })).toEqual(['w2-0']);
    expect(ids(all, { waterSide: false })).toEqual(['w1-0', 'w10-0']);
    expect(ids(all, { cliffSide: true, roadClass: 'primary' })).toEqual(['w10-0']);
    expect(ids([0, 0, 1, 1])).toEqual([]);
  });

  it('writes each feature as valid GeoJSON with its static and live properties', () => {
    const [p] = index.candidates(all, { waterSide: true });
    const scored = JSON.parse(index.featureJson(p, { score: 12.5, level: 'medium', alarm: 'yellow' }));
    expect(scored).toEqual({
      type: 'Feature',
      id: 'w2-0',
      geometry: { type: 'LineString', coordinates: [[1.5, 42.5], [1.51, 42.5]] },
      properties: {
        id: 'w2-0', osmWayId: 1, roadClass: 'secondary', name: 'River "road"', lengthM: 80, exposureScore: 3, exposureLevel: 'very_low',
        waterSide: 'right', cliffSide: null, score: 12.5, level: 'medium', alarm: 'yellow', roadsideUnknown: ['right'],
      },
    });
    expect(JSON.parse(index.featureJson(p, undefined)).properties).toMatchObject({ score: null, level: null, alarm: null, roadsideUnknown: ['right'] });
    // Once the river side is recorded (or a guardrail there verified), it is no longer drawn as unknown.
    expect(JSON.parse(index.featureJson(p, { score: 12.5, level: 'medium', alarm: 'yellow', knownSides: ['right'] })).properties.roadsideUnknown).toEqual([]);
    expect(index.levelOf(p, undefined)).toBe('very_low');
    expect(index.levelOf(p, { score: 50, level: 'very_high', alarm: 'red' })).toBe('very_high');
  });

  it('serves nothing from an empty network', () => {
    expect(new SegmentFeatureIndex([]).candidates(all, {})).toEqual([]);
  });
});
