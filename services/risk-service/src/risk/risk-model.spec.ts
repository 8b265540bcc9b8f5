import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES, RISK_LEVELS } from '@roadloop/contracts';
import { assessRisk, levelOf } from './risk-model';

describe(assessRisk.name, () => {
  it('is the exposure alone when no hazard is open', () => {
    expect(assessRisk(12.5, [])).toEqual({ score: 12.5, level: 'very_low', factors: [{ factor: 'exposure', value: 12.5 }] });
  });

  it('adds a critical rockfall as 2.5 × 20 points and raises the level', () => {
    const r = assessRisk(25, [{ id: 'h1', category: 'rockfall', severity: 'critical' }]);
    expect(r.score).toBe(75);
    expect(r.level).toBe('very_high');
    expect(r.factors[1]).toEqual({ factor: 'hazard:rockfall', value: 50, detail: 'critical (h1)' });
  });

  it('explains every score: factors sum to it, it is never negative, levels never fall as hazards are added', () => {
    const hazard = fc.record({
      id: fc.uuid(),
      category: fc.constantFrom(...HAZARD_CATEGORIES),
      severity: fc.constantFrom(...HAZARD_SEVERITIES),
    });
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.array(hazard, { maxLength: 6 }), hazard, (exp, hs, extra) => {
        const r = assessRisk(exp, hs);
        const sum = r.factors.reduce((s, f) => s + f.value, 0);
        expect(Math.abs(sum - r.score)).toBeLessThan(0.011);
        expect(r.score).toBeGreaterThanOrEqual(0);
        const more = assessRisk(exp, [...hs, extra]);
        expect(RISK_LEVELS.indexOf(more.level)).toBeGreaterThanOrEqual(RISK_LEVELS.indexOf(r.level));
      }),
    );
  });
});

describe(levelOf.name, () => {
  it.each([
    [0, 'very_low'],
    [19.99, 'very_low'],
    [20, 'low'],
    [49.9, 'medium'],
    [69.99, 'high'],
    [70, 'very_high'],
    [500, 'very_high'],
  ] as const)('score %d is %s', (score, level) => expect(levelOf(score)).toBe(level));
});
