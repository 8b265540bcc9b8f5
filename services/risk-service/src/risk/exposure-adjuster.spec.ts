import { describe, expect, it } from '@jest/globals';
import { SegmentExposure } from '../segments/segment.repository';
import { adjustedExposure } from './exposure-adjuster';

const riverside: SegmentExposure = {
  exposureScore: 42,
  exposureLevel: 'very_high',
  exposureFactors: {},
  lengthM: 100,
  roadClass: 'secondary',
  name: null,
  attributes: {
    roadside: { left: { water: 0, dropOff: 0, cliff: 0, guardrail: 0 }, right: { water: 10, dropOff: 0, cliff: 0, guardrail: 0 } },
    curvatureClass: 'sharp',
    gradeClass: 'gentle',
    speedKmh: 50,
  },
};
const guardrail = (side: 'left' | 'right' | 'both' | null) => ({ taskId: 't1', countermeasure: 'guardrail', side, verifiedAt: '2026-11-27T00:00:00Z' });

describe(adjustedExposure.name, () => {
  it('keeps the static exposure without a verified guardrail', () => {
    expect(adjustedExposure(riverside, [])).toEqual({ score: 42 });
    expect(adjustedExposure(riverside, [{ ...guardrail('right'), countermeasure: 'warning_sign' }])).toEqual({ score: 42 });
  });

  it('removes most of the water exposure of the guarded side', () => {
    expect(adjustedExposure(riverside, [guardrail('right')]).score).toBe(17.5);
    expect(adjustedExposure(riverside, [guardrail(null)]).score).toBe(17.5);
  });

  it('does not lower the score for a guardrail on the side without water', () => {
    expect(adjustedExposure(riverside, [guardrail('left')]).score).toBe(42);
  });

  it('keeps the static exposure, and says so, for a segment without a roadside breakdown', () => {
    const r = adjustedExposure({ ...riverside, attributes: {} }, [guardrail('right')]);
    expect(r.score).toBe(42);
    expect(r.detail).toMatch(/no roadside breakdown/);
  });
});
