import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { computeExposure, exposureLevelOf, speedMultiplier, FACTOR_NAMES, type ExposureInputs, type SideSeverity } from './exposure-score';
import { CURVATURE_CLASSES, DEFAULT_SCORE_CONFIG, GRADE_CLASSES, resolveScoreConfig } from './score.config';

const cfg = DEFAULT_SCORE_CONFIG;
const hundredths = (x: number) => Math.round(x * 100);
const open: SideSeverity = { water: 0, dropOff: 0, cliff: 0, guardrail: 0 };

/** Severities as the engine produces them: a hazard in 0..10 and a guardrail removing ≤ 70 % of it. */
const side = fc
  .tuple(fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 10, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([water, dropOff, cliff, protectedShare]): SideSeverity => ({
    water,
    dropOff,
    cliff,
    guardrail: -(water + dropOff + cliff) * protectedShare * cfg.guardrail.effectiveness,
  }));
const inputs = fc.record({
  left: side,
  right: side,
  curvatureClass: fc.constantFrom(...CURVATURE_CLASSES),
  gradeClass: fc.constantFrom(null, ...GRADE_CLASSES),
  speedKmh: fc.double({ min: 1, max: 150, noNaN: true }),
});

describe(computeExposure.name, () => {
  it('sums its factors to the score exactly, never goes negative, and bands it (property)', () => {
    fc.assert(
      fc.property(inputs, (i: ExposureInputs) => {
        const e = computeExposure(i, cfg);
        expect(e.score).toBeGreaterThanOrEqual(0);
        const sum = FACTOR_NAMES.reduce((s, name) => s + hundredths(e.factors[name]), 0);
        expect(sum).toBe(hundredths(e.score));
        expect(Object.keys(e.factors).sort()).toEqual([...FACTOR_NAMES].sort());
        expect(e.level).toBe(exposureLevelOf(e.score, cfg));
        // The additive factors are the multiplicative model's value, rounded once.
        const r = 2 * cfg.roadside.baseSeverityPerSide + [i.left, i.right].reduce((s, x) => s + x.water + x.dropOff + x.cliff + x.guardrail, 0);
        const model = r * e.multipliers.curvature * e.multipliers.grade * e.multipliers.speed;
        expect(Math.abs(e.score - model)).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
      { numRuns: 2000 },
    );
  });

  it('never lowers the score when a hazard grows (property)', () => {
    fc.assert(
      fc.property(inputs, fc.double({ min: 0, max: 5, noNaN: true }), (i: ExposureInputs, extra) => {
        const more = { ...i, left: { ...i.left, water: i.left.water + extra } };
        expect(computeExposure(more, cfg).score).toBeGreaterThanOrEqual(computeExposure(i, cfg).score);
      }),
    );
  });

  it('explains a known case: a river beside a sharp curve at 50 km/h', () => {
    const e = computeExposure({ left: { ...open, water: 10 }, right: open, curvatureClass: 'sharp', gradeClass: 'gentle', speedKmh: 50 }, cfg);
    // R = 2 + 10 = 12; × 3.5 (iRAP sharp) = 42; grade × 1; speed (50/50)² = 1.
    expect(e.factors).toEqual({ roadside: 2, water: 10, dropOff: 0, cliff: 0, guardrail: 0, curvature: 30, grade: 0, speed: 0 });
    expect(e.score).toBe(42);
    expect(e.level).toBe('very_high');
  });

  it('gives an open, straight, flat road at the reference speed the base score', () => {
    const e = computeExposure({ left: open, right: open, curvatureClass: 'straight', gradeClass: 'gentle', speedKmh: 50 }, cfg);
    expect(e.score).toBe(2);
    expect(e.level).toBe('very_low');
  });

  it('counts an unknown grade as neutral (multiplier 1)', () => {
    const known = computeExposure({ left: open, right: open, curvatureClass: 'straight', gradeClass: 'gentle', speedKmh: 50 }, cfg);
    const unknown = computeExposure({ left: open, right: open, curvatureClass: 'straight', gradeClass: null, speedKmh: 50 }, cfg);
    expect(unknown.score).toBe(known.score);
  });
});

describe(speedMultiplier.name, () => {
  it('follows the power model and stays within its clamp', () => {
    expect(speedMultiplier(50, cfg)).toBe(1);
    expect(speedMultiplier(100, cfg)).toBe(3); // 4 clamped to 3
    expect(speedMultiplier(70, cfg)).toBeCloseTo(1.96, 10);
    expect(speedMultiplier(10, cfg)).toBe(0.5);
  });
});

describe(exposureLevelOf.name, () => {
  it('maps scores to the five bands at their lower bounds', () => {
    expect([0, 4.99, 5, 9.99, 10, 19.99, 20, 39.99, 40, 1000].map((s) => exposureLevelOf(s, cfg))).toEqual([
      'very_low',
      'very_low',
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'very_high',
      'very_high',
    ]);
  });

  it('follows a custom configuration', () => {
    const custom = resolveScoreConfig({ levels: cfg.levels.map((l, i) => ({ ...l, fromScore: i * 100 })) });
    expect(exposureLevelOf(150, custom)).toBe('low');
  });
});
