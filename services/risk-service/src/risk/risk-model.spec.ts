import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { HAZARD_CATEGORIES, HAZARD_SEVERITIES, RISK_LEVELS } from '@roadloop/contracts';
import { Crash, RISK_MODEL, assessRisk, levelBand, levelOf, reachPieceOf, roadOf, scoreBands } from './risk-model';

/**
 * The risk model as the service reads its stored rows. The model's formulas are checked against
 * worked examples in the engine library (libs/geo/src/risk-model/risk-model.spec.ts); these are
 * the service-level expectations that used to be written in points, now in expected fatal and
 * serious crashes per km-year.
 */
const now = new Date('2026-11-27T00:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const crash = (id: string, severity: Crash['severity'], age = 10): Crash => ({ id, severity, occurredAt: daysAgo(age) });
// A secondary road on a sharp curve beside a river, as the engine stores it.
const stored = { lengthM: 100, roadClass: 'secondary', attributes: { curvatureClass: 'sharp', curvatureRadiusM: 90, gradePct: 4, waterSide: 'right', waterRightM: 8, waterType: 'river' } };
const road = roadOf(stored);
const neighbours = [reachPieceOf({ ...stored, id: 'prev' }), reachPieceOf({ ...stored, id: 'next' })];
const base = { road, neighbours, hazards: [], crashes: [], now };

describe(assessRisk.name, () => {
  it('is the prediction from traffic and design alone when nothing happened on the segment, with a green alarm', () => {
    const r = assessRisk(base);
    expect(r.factors.map((f) => f.factor)).toEqual(['traffic', 'curve', 'grade', 'roadside', 'crashes', 'severity']);
    expect(r.alarm).toBe('green');
    expect(r.prediction.rhr).toBe(7);
  });

  it('gives a critical rockfall its typed category and more than doubles the expectation', () => {
    const quiet = assessRisk(base);
    const r = assessRisk({ ...base, hazards: [{ id: 'h1', category: 'rockfall', severity: 'critical' }] });
    expect(r.score / quiet.score).toBeCloseTo(2.2, 3);
    expect(r.alarm).toBe('red');
    expect(r.factors.find((f) => f.factor === 'hazard')).toMatchObject({ hazardCategory: 'rockfall', detail: 'critical rockfall open (h1)' });
  });

  it('does not let one slight crash on a quiet road dominate, but a cluster does', () => {
    const quiet = { ...base, road: roadOf({ lengthM: 100, roadClass: 'residential', attributes: {} }), neighbours: [] };
    const none = assessRisk(quiet);
    const one = assessRisk({ ...quiet, crashes: [crash('c1', 'slight')] });
    const cluster = assessRisk({ ...quiet, crashes: ['c1', 'c2', 'c3', 'c4'].map((id) => crash(id, 'serious')) });
    expect(RISK_LEVELS.indexOf(one.level) - RISK_LEVELS.indexOf(none.level)).toBeLessThanOrEqual(1);
    expect(['very_low', 'low']).toContain(one.level);
    expect(cluster.score).toBeGreaterThan(4 * one.score);
    expect(cluster.level).toBe('very_high');
  });

  it('weighs recent crashes more than old ones and ignores those outside the window', () => {
    const recent = assessRisk({ ...base, crashes: [crash('a', 'serious', 1)] });
    const old = assessRisk({ ...base, crashes: [crash('a', 'serious', 700)] });
    const gone = assessRisk({ ...base, crashes: [crash('a', 'serious', 365 * RISK_MODEL.eb.windowYears + 10)] });
    expect(recent.score).toBeGreaterThan(old.score);
    expect(gone.crashes.observed).toBe(0);
    expect(gone.score).toBe(assessRisk(base).score);
  });

  it('blends observed crashes with the prediction (EB): expected lies between them', () => {
    const e = assessRisk({ ...base, crashes: [crash('a', 'pdo', 0), crash('b', 'pdo', 0)] }).crashes;
    expect(e.weight).toBeGreaterThan(0);
    expect(e.weight).toBeLessThan(1);
    expect(e.expected).toBeCloseTo(e.weight * e.predicted + (1 - e.weight) * e.observed, 5);
    expect(e.expected).toBeGreaterThan(e.predicted);
    expect(e.expected).toBeLessThan(e.observed);
  });

  it('never lowers the score when a hazard opens or a crash happens (property)', () => {
    const hazard = fc.record({
      id: fc.uuid(),
      category: fc.constantFrom(...HAZARD_CATEGORIES),
      severity: fc.constantFrom(...HAZARD_SEVERITIES),
    });
    fc.assert(
      fc.property(fc.array(hazard, { maxLength: 5 }), hazard, fc.integer({ min: 0, max: 1000 }), (hazards, extra, age) => {
        const r = assessRisk({ ...base, hazards });
        const more = assessRisk({ ...base, hazards: [...hazards, extra] });
        const crashed = assessRisk({ ...base, hazards, crashes: [crash('x', 'slight', age)] });
        expect(more.score).toBeGreaterThanOrEqual(r.score);
        expect(crashed.score).toBeGreaterThanOrEqual(r.score);
        expect(RISK_LEVELS.indexOf(more.level)).toBeGreaterThanOrEqual(RISK_LEVELS.indexOf(r.level));
      }),
    );
  });
});

describe(levelOf.name, () => {
  const [a, b, c, d] = RISK_MODEL.levelThresholds;
  it.each([
    [0, 'very_low'],
    [a / 2, 'very_low'],
    [a, 'low'],
    [b, 'medium'],
    [c, 'high'],
    [d, 'very_high'],
    [d * 10, 'very_high'],
  ] as const)('score %d is %s', (score, level) => expect(levelOf(score)).toBe(level));
});

describe(scoreBands.name, () => {
  it('gives each level the scores levelOf puts in it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5, noNaN: true }), (score) => {
        const { min, max } = levelBand(levelOf(score));
        expect(score >= min && score < max).toBe(true);
      }),
    );
  });

  it('merges adjacent bands', () => {
    const [a, b, c, d] = RISK_MODEL.levelThresholds;
    expect(scoreBands(['high', 'very_high', 'medium'])).toEqual([{ min: b, max: Infinity }]);
    expect(scoreBands(['very_low', 'high'])).toEqual([{ min: -Infinity, max: a }, { min: c, max: d }]);
  });
});
