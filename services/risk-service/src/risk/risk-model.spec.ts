import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES, RISK_LEVELS } from '@roadloop/contracts';
import { Crash, RISK_MODEL, assessRisk, estimateCrashes, levelBand, levelOf, scoreBands } from './risk-model';

const now = new Date('2026-11-27T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const crash = (id: string, severity: Crash['severity'], age = 10): Crash => ({ id, severity, occurredAt: daysAgo(age) });
const base = { exposureScore: 3, lengthM: 100, hazards: [], crashes: [], now };

describe(assessRisk.name, () => {
  it('is the exposure alone when nothing happened on the segment', () => {
    const r = assessRisk(base);
    expect(r).toMatchObject({ score: 3, level: 'very_low', alarm: 'green', factors: [{ factor: 'exposure', value: 3 }] });
  });

  it('adds a critical rockfall as 4 × 8 points and raises the level to red', () => {
    const r = assessRisk({ ...base, exposureScore: 9, hazards: [{ id: 'h1', category: 'rockfall', severity: 'critical' }] });
    expect(r.score).toBe(41);
    expect(r.level).toBe('very_high');
    expect(r.alarm).toBe('red');
    expect(r.factors[1]).toEqual({ factor: 'hazard:rockfall', value: 32, detail: 'critical (h1)' });
  });

  it('does not let one slight crash on a quiet road dominate, but a cluster does', () => {
    const one = assessRisk({ ...base, crashes: [crash('c1', 'slight')] });
    const cluster = assessRisk({ ...base, crashes: ['c1', 'c2', 'c3', 'c4'].map((id) => crash(id, 'serious')) });
    const crashPoints = (r: ReturnType<typeof assessRisk>) => r.factors.find((f) => f.factor === 'crashes')!.value;
    expect(crashPoints(one)).toBeLessThan(10);
    expect(['very_low', 'low', 'medium']).toContain(one.level);
    expect(crashPoints(cluster)).toBeGreaterThan(4 * crashPoints(one));
    expect(cluster.level).toBe('very_high');
  });

  it('weighs recent crashes more than old ones and ignores those outside the window', () => {
    const recent = estimateCrashes(3, 100, [crash('a', 'serious', 1)], now);
    const old = estimateCrashes(3, 100, [crash('a', 'serious', 700)], now);
    const gone = estimateCrashes(3, 100, [crash('a', 'serious', 365 * 3 + 10)], now);
    expect(recent.excessEpdo).toBeGreaterThan(old.excessEpdo);
    expect(gone.observed).toBe(0);
    expect(gone.excessEpdo).toBe(0);
  });

  it('follows the EB formula: w = 1/(1 + k·N_pred), N_exp = w·N_pred + (1 − w)·N_obs', () => {
    const c = RISK_MODEL.crash;
    const e = estimateCrashes(10, 500, [crash('a', 'pdo', 0), crash('b', 'pdo', 0)], now);
    const predicted = c.baseRatePerKmYear * 0.5 * c.windowYears * 1;
    const k = c.overdispersionPerKm / 0.5;
    const w = 1 / (1 + k * predicted);
    expect(e.predicted).toBeCloseTo(predicted, 10);
    expect(e.weight).toBeCloseTo(w, 10);
    expect(e.expected).toBeCloseTo(w * predicted + (1 - w) * 2, 10);
  });

  it('explains every score: factors sum to it, it is never negative, more hazards or crashes never lower the level', () => {
    const hazard = fc.record({ id: fc.uuid(), category: fc.constantFrom(...HAZARD_CATEGORIES), severity: fc.constantFrom(...HAZARD_SEVERITIES) });
    const crashArb = fc.record({
      id: fc.uuid(),
      severity: fc.constantFrom('fatal' as const, 'serious' as const, 'slight' as const, 'pdo' as const),
      occurredAt: fc.integer({ min: 0, max: 2000 }).map(daysAgo),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0.5, max: 2000, noNaN: true }),
        fc.array(hazard, { maxLength: 5 }),
        fc.array(crashArb, { maxLength: 8 }),
        hazard,
        crashArb,
        (exposureScore, lengthM, hazards, crashes, extraHazard, extraCrash) => {
          const r = assessRisk({ exposureScore, lengthM, hazards, crashes, now });
          const sum = r.factors.reduce((s, f) => s + f.value, 0);
          expect(Math.abs(sum - r.score)).toBeLessThan(0.011 * r.factors.length);
          expect(r.score).toBeGreaterThanOrEqual(0);
          const more = assessRisk({ exposureScore, lengthM, hazards: [...hazards, extraHazard], crashes: [...crashes, extraCrash], now });
          expect(RISK_LEVELS.indexOf(more.level)).toBeGreaterThanOrEqual(RISK_LEVELS.indexOf(r.level));
        },
      ),
    );
  });
});

describe(levelOf.name, () => {
  it.each([
    [0, 'very_low'],
    [4.99, 'very_low'],
    [5, 'low'],
    [10, 'medium'],
    [19.99, 'medium'],
    [20, 'high'],
    [40, 'very_high'],
    [500, 'very_high'],
  ] as const)('score %d is %s', (score, level) => expect(levelOf(score)).toBe(level));
});

describe(scoreBands.name, () => {
  it('gives each level the scores levelOf puts in it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 500, noNaN: true }), (score) => {
        const { min, max } = levelBand(levelOf(score));
        return score >= min && score < max;
      }),
    );
  });
  it('merges adjacent bands and keeps the others apart', () => {
    expect(scoreBands(['high', 'very_high', 'medium'])).toEqual([{ min: 10, max: Infinity }]);
    expect(scoreBands(['very_low', 'high'])).toEqual([{ min: -Infinity, max: 5 }, { min: 20, max: 40 }]);
  });
});
