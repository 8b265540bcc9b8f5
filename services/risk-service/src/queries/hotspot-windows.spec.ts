import { describe, expect, it } from '@jest/globals';
import { RISK_MODEL, estimateCrashes } from '../risk/risk-model';
import { WayPiece, predictedCrashes, rankWindows, slidingWindows } from './hotspot-windows';

const piece = (segmentId: string, lengthM: number, crashes = 0, crashEpdo = crashes, exposureScore = 10): WayPiece => ({
  segmentId, lengthM, exposureScore, crashes, crashEpdo,
});

describe('predictedCrashes', () => {
  it('is the risk model SPF (estimateCrashes().predicted) over its window', () => {
    for (const [e, l] of [[0, 50], [3, 110], [10, 1000], [45, 2500], [1000, 300]]) {
      expect(predictedCrashes(e, l, RISK_MODEL.crash.windowYears)).toBeCloseTo(estimateCrashes(e, l, [], new Date()).predicted, 12);
    }
  });
  it('is 0.4 crashes per km-year at the reference exposure', () => {
    expect(predictedCrashes(10, 1000, 3)).toBeCloseTo(1.2, 12);
  });
});

describe('slidingWindows', () => {
  // A 1 000 m way of ten 100 m pieces at the reference exposure; two crashes on piece 7 (700–800 m).
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
    // P = 0.4 · 0.5 km · 3 y · 1 = 0.6; k = 1 / 0.5 = 2; w = 1 / (1 + 2 · 0.6) = 1/2.2
    const weight = 1 / 2.2;
    expect(w.predicted).toBeCloseTo(0.6, 9);
    expect(w.weight).toBeCloseTo(weight, 6);
    // expected = w·0.6 + (1 − w)·2 = 0.272727… + 1.090909… = 1.363636…
    expect(w.expected).toBeCloseTo(weight * 0.6 + (1 - weight) * 2, 6);
    expect(w.expected).toBeCloseTo(1.363636, 6);
    expect(w.excess).toBeCloseTo(0.763636, 6);
    // EPDO: w·0.6·2 + (1 − w)·9 − 0.6·2 = 0.545454 + 4.909091 − 1.2
    expect(w.excessEpdo).toBeCloseTo(4.254545, 6);
    expect(w.observedEpdo).toBe(9);
  });

  it('gives windows without crashes a negative excess of −(1 − w)·P', () => {
    const w = slidingWindows(way, 500, 100, 3)[0];
    expect(w.excess).toBeCloseTo(-(1 - 1 / 2.2) * 0.6, 6);
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
