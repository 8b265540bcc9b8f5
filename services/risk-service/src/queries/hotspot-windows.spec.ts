import { describe, expect, it } from '@jest/globals';
import { predictSegment, roadAttributesFrom, spfCrashesPerKmYear } from '@roadloop/geo';
import { WayPiece, predictedCrashes, rankWindows, slidingWindows } from './hotspot-windows';

// 0.4 predicted crashes per km-year on every piece unless said.
const piece = (segmentId: string, lengthM: number, crashes = 0, crashEpdo = crashes, predictedPerKmYear = 0.4): WayPiece => ({
  segmentId, lengthM, predictedPerKmYear, crashes, crashEpdo,
});

describe('predictedCrashes', () => {
  it("is the risk model's prediction per km-year over the length and the years", () => {
    expect(predictedCrashes(0.4, 1000, 3)).toBeCloseTo(1.2, 12);
    // A plain primary road (AADT 5,000 assumed): HSM Eq. 10-6, 0.830069 crashes per km-year; 500 m over 3 years: 1.245103.
    const plain = predictSegment(roadAttributesFrom('primary', 500, {})).predictedPerKmYear;
    expect(plain).toBeCloseTo(spfCrashesPerKmYear(5000), 12);
    expect(predictedCrashes(plain, 500, 3)).toBeCloseTo(1.245103, 5);
  });
});

describe('slidingWindows', () => {
  // A 1 000 m way of ten 100 m pieces predicted at 0.4 crashes per km-year; two crashes on piece 7 (700–800 m).
  const way = Array.from({ length: 10 }, (_, i) => piece(`s${i}`, 100, i === 7 ? 2 : 0, i === 7 ? 9 : 0));

  it('slides 500 m windows by 100 m: six windows, each exactly 500 m', () => {
    const windows = slidingWindows(way, 500, 100, 3);
    expect(windows.map((w) => [w.fromM, w.toM])).toEqual([[0, 500], [100, 600], [200, 700], [300, 800], [400, 900], [500, 1000]]);
    expect(windows[0].segmentIds).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(windows.map((w) => w.observed)).toEqual([0, 0, 0, 2, 2, 2]);
  });

  it('computes the EB numbers exactly on a hand-made window', () => {
    const w = slidingWindows(way, 500, 100, 3)[3];
    expect([w.fromM, w.toM, w.segmentIds]).toEqual([300, 800, ['s3', 's4', 's5', 's6', 's7']]);
    // P = 0.4 · 0.5 km · 3 y = 0.6; k = 0.236 / 0.310686 mi = 0.759609 (HSM Eq. 10-7);
    // w = 1 / (1 + 0.759609 · 0.6) = 1 / 1.455765 = 0.686923
    const weight = 1 / (1 + (0.236 / (500 / 1609.344)) * 0.6);
    expect(w.predicted).toBeCloseTo(0.6, 9);
    expect(w.weight).toBeCloseTo(0.686923, 6);
    // expected = w·0.6 + (1 − w)·2 = 0.412154 + 0.626153 = 1.038307
    expect(w.expected).toBeCloseTo(weight * 0.6 + (1 - weight) * 2, 6);
    expect(w.expected).toBeCloseTo(1.038307, 5);
    expect(w.excess).toBeCloseTo(0.438307, 5);
    // EPDO (mean of a predicted crash 1.921): w·0.6·1.921 + (1 − w)·9 − 0.6·1.921 = 0.791748 + 2.817689 − 1.152600 = 2.456837
    expect(w.excessEpdo).toBeCloseTo(2.456837, 5);
    expect(w.observedEpdo).toBe(9);
  });

  it('gives windows without crashes a negative excess of −(1 − w)·P', () => {
    const w = slidingWindows(way, 500, 100, 3)[0];
    const weight = 1 / (1 + (0.236 / (500 / 1609.344)) * 0.6);
    expect(w.excess).toBeCloseTo(-(1 - weight) * 0.6, 6);
  });

  it('snaps windows to segment ends, reports each set of segments once, and clips the last one', () => {
    const uneven = [piece('a', 300), piece('b', 450, 1), piece('c', 300)];
    const windows = slidingWindows(uneven, 500, 100, 3);
    // starts 0, 100, 200 → a+b (0–750); 300, 400, 500 → b+c (300–1050); 600 reaches the end (b+c again) and stops
    expect(windows.map((w) => [w.fromM, w.toM, w.segmentIds.join('')])).toEqual([
      [0, 750, 'ab'],
      [300, 1050, 'bc'],
    ]);
  });

  it('gives a way shorter than the window one window over the whole way', () => {
    expect(slidingWindows([piece('x', 120, 1), piece('y', 80)], 500, 100, 3).map((w) => [w.fromM, w.toM, w.segmentIds])).toEqual([[0, 200, ['x', 'y']]]);
    expect(slidingWindows([], 500, 100, 3)).toEqual([]);
  });

  it('ranks by excess, highest first', () => {
    const ranked = rankWindows(slidingWindows(way, 500, 100, 3).map((w) => ({ ...w, osmWayId: 1 })));
    expect(ranked[0].excess).toBeGreaterThan(0);
    expect(ranked.map((w) => w.excess)).toEqual([...ranked.map((w) => w.excess)].sort((a, b) => b - a));
  });
});
