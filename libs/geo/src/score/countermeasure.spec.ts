import { describe, expect, it } from '@jest/globals';
import { computeExposure } from './exposure-score';
import { exposureWithGuardrail, type RescorableSegment } from './countermeasure';
import { DEFAULT_SCORE_CONFIG } from './score.config';

const riverside: RescorableSegment = {
  roadside: {
    left: { water: 0, dropOff: 0, cliff: 0, guardrail: 0 },
    right: { water: 10, dropOff: 0, cliff: 0, guardrail: 0 },
  },
  curvatureClass: 'sharp',
  gradeClass: 'gentle',
  speedKmh: 50,
};

describe(exposureWithGuardrail.name, () => {
  it('changes nothing without a guarded side', () => {
    const plain = computeExposure({ ...riverside, left: riverside.roadside.left, right: riverside.roadside.right }, DEFAULT_SCORE_CONFIG);
    expect(exposureWithGuardrail(riverside, { left: false, right: false })).toEqual(plain);
  });

  it('takes 70 % of the water off the protected side: (2 + 10 − 7) × 3.5 = 17.5', () => {
    const e = exposureWithGuardrail(riverside, { left: false, right: true });
    expect(e.factors.guardrail).toBe(-7);
    expect(e.score).toBe(17.5);
    expect(e.level).toBe('medium');
  });

  it('does nothing on a side with nothing to protect from', () => {
    expect(exposureWithGuardrail(riverside, { left: true, right: false }).score).toBe(42);
  });

  it('never protects twice where a barrier is already mapped', () => {
    const mapped = { ...riverside, roadside: { ...riverside.roadside, right: { water: 10, dropOff: 0, cliff: 0, guardrail: -7 } } };
    expect(exposureWithGuardrail(mapped, { left: false, right: true }).score).toBe(17.5);
  });
});
