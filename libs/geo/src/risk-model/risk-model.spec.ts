import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  crashWeight,
  curveCmf,
  ebExpected,
  ebWeight,
  effectiveYears,
  fsiShare,
  gradeCmf,
  hsmCurveCmf,
  overdispersion,
  roadsideCmf,
  spfCrashesPerKmYear,
} from './formulas';
import { designStars, levelBand, levelOf, levelRank, proposeThresholds, riskLegend, scoreBands } from './levels';
import { RISK_LEVELS, RISK_MODEL } from './risk-model.config';
import { Crash, RoadAttributes, assessRisk, estimateReach, hazardCmf, predictSegment, roadAttributesFrom, sideRating, withInventory } from './segment-risk';

const MILE = 1609.344;
const FOOT = 0.3048;

describe('safety performance function (HSM Eq. 10-6, 10-7)', () => {
  it('predicts AADT × L[mi] × 365 × 10⁻⁶ × e^(−0.312) crashes a year', () => {
    // e^(−0.312) = 0.731982; 1,000 veh/day over 1 mile: 1000 × 1 × 365e-6 × 0.731982 = 0.267173 crashes a year.
    expect(spfCrashesPerKmYear(1000) * (MILE / 1000)).toBeCloseTo(0.267173, 6);
    // Per km: 5,000 veh/day: 5000 × 365e-6 × 0.731982 = 1.335867 per mile-year, / 1.609344 = 0.830069 per km-year.
    expect(spfCrashesPerKmYear(5000)).toBeCloseTo(0.830069, 6);
    expect(spfCrashesPerKmYear(0)).toBe(0);
  });

  it('takes overdispersion k = 0.236 / L[mi]', () => {
    // 1 mile: k = 0.236; 300 m = 0.186411 mi: k = 0.236 / 0.186411 = 1.266017.
    expect(overdispersion(MILE)).toBeCloseTo(0.236, 9);
    expect(overdispersion(300)).toBeCloseTo(1.266017, 6);
  });
});

describe('crash modification factors', () => {
  it('curve: HSM Eq. 10-13, (1.55·Lc + 80.2/R − 0.012·S) / (1.55·Lc)', () => {
    // HSM chapter 10 sample problem: R = 1,200 ft, Lc = 0.1 mi, no spiral:
    // (1.55 × 0.1 + 80.2 / 1200) / (1.55 × 0.1) = (0.155 + 0.066833) / 0.155 = 1.431183.
    expect(hsmCurveCmf(1200 * FOOT, 0.1 * MILE, 0)).toBeCloseTo(1.431183, 6);
    // With spirals: (0.155 + 0.066833 − 0.012) / 0.155 = 1.353763.
    expect(hsmCurveCmf(1200 * FOOT, 0.1 * MILE, 1)).toBeCloseTo(1.353763, 6);
    // The HSM floor R ≥ 100 ft: a 10 m radius counts as 100 ft; Lc = 100 m = 0.0621371 mi:
    // (0.0963125 + 0.802) / 0.0963125 = 9.327
    expect(hsmCurveCmf(10, 100)).toBeCloseTo(hsmCurveCmf(100 * FOOT, 100), 9);
    expect(hsmCurveCmf(10, 100)).toBeCloseTo(9.3271, 3);
  });

  it('curve by engine class: Eq. 10-13 at the class radius over 100 m', () => {
    // sharp: R = √(50 × 150) = 86.60 m = 284.13 ft; 80.2 / 284.13 = 0.282266; 1.55 × 0.0621371 = 0.0963125;
    // (0.0963125 + 0.282266) / 0.0963125 = 3.930731.
    expect(curveCmf('sharp')).toBeCloseTo(3.93073, 4);
    // moderate: R = √(150 × 400) = 244.95 m = 803.64 ft → 1 + 0.099796 / 0.0963125 = 2.03617.
    expect(curveCmf('moderate')).toBeCloseTo(2.03617, 4);
    // very sharp: R = √(30.48 × 50) = 39.04 m = 128.08 ft → 1 + 0.626174 / 0.0963125 = 7.50151.
    expect(curveCmf('very_sharp')).toBeCloseTo(7.50151, 4);
    expect(curveCmf('straight')).toBe(1);
    expect(curveCmf(null)).toBe(1);
  });

  it('grade: HSM Table 10-11, level 1.00, moderate 1.10, steep 1.16', () => {
    expect([0, 3, 3.01, -6, 6.5, -12, null].map(gradeCmf)).toEqual([1, 1, 1.1, 1.1, 1.16, 1.16, 1]);
  });

  it('roadside: HSM Eq. 10-14, e^(−0.6869 + 0.0668·RHR) / e^(−0.4865)', () => {
    // RHR 3 is the base: e^(−0.6869 + 0.2004) = e^(−0.4865) → 1.
    expect(roadsideCmf(3)).toBeCloseTo(1, 9);
    // RHR 4: e^(0.0668) = 1.069082 (the HSM's sample problem rounds it to 1.07).
    expect(roadsideCmf(4)).toBeCloseTo(1.069082, 6);
    // RHR 7: e^(−0.6869 + 0.4676 + 0.4865) = e^(0.2672) = 1.306302.
    expect(roadsideCmf(7)).toBeCloseTo(1.306302, 6);
  });

  it('reads a side as RHR 7, 6, 5 or 3 from cliffs, drops, water and guardrails', () => {
    const road = roadAttributesFrom('primary', 100, { dropLeftM: 30, dropRightM: 12, waterRightM: 40, waterType: 'river', guardrail: { left: 0, right: 0 } });
    expect(sideRating(road, 'left').rhr).toBe(7);
    expect(sideRating(road, 'right').rhr).toBe(6);
    expect(sideRating({ ...road, guardrail: { left: 0.8, right: 0 } }, 'left').rhr).toBe(5);
    expect(sideRating(road, 'left', { left: true, right: false }).rhr).toBe(5);
    expect(sideRating({ ...road, tunnel: true }, 'left').rhr).toBe(3);
    const river = roadAttributesFrom('primary', 100, { waterSide: 'left', waterLeftM: 6, waterType: 'river' });
    expect(sideRating(river, 'left').rhr).toBe(7);
    expect(sideRating({ ...river, waterType: 'stream' }, 'left').rhr).toBe(6);
    expect(sideRating(river, 'right').rhr).toBe(3);
  });
});

describe('Empirical Bayes (HSM Part B, Eq. A-4 and A-5)', () => {
  it('weights the prediction by w = 1 / (1 + k·N_pred)', () => {
    // k = 0.236 (1 mile), N_pred = 2: w = 1 / (1 + 0.472) = 0.679348;
    // N_obs = 5: expected = 0.679348 × 2 + 0.320652 × 5 = 1.358696 + 1.603261 = 2.961957.
    const w = ebWeight(0.236, 2);
    expect(w).toBeCloseTo(0.679348, 6);
    expect(ebExpected(2, 5, w)).toBeCloseTo(2.961957, 6);
    // 300 m (k = 1.266017), N_pred = 0.5: w = 1 / 1.633009 = 0.612367; 3 observed → 0.306183 + 1.162900 = 1.469083.
    const w300 = ebWeight(overdispersion(300), 0.5);
    expect(w300).toBeCloseTo(0.612367, 6);
    expect(ebExpected(0.5, 3, w300)).toBeCloseTo(1.469083, 5);
  });

  it('weights crashes by age with a one-year half-life, and the prediction over the same effective years', () => {
    expect(crashWeight(0)).toBe(1);
    expect(crashWeight(365)).toBeCloseTo(0.5, 9);
    expect(crashWeight(3 * 365.25 + 1)).toBe(0);
    // ∫₀³ 0.5^(t/h) dt with h = 365 / 365.25 years: h / ln 2 × (1 − 0.5^(3/h)) = 1.441708 × 0.875178 = 1.261751.
    expect(effectiveYears()).toBeCloseTo(1.261751, 5);
  });

  it('pools the reach: predicted over its length and effective years, observed crashes decayed', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    const pieces = [100, 100, 100].map((lengthM, i) => ({ segmentId: `s${i}`, lengthM, predictedPerKmYear: 1 }));
    const crashes: Crash[] = [{ id: 'a', occurredAt: now, severity: 'serious' }];
    const e = estimateReach(pieces, crashes, now);
    // N_pred = 1 / km·yr × 0.3 km × 1.261751 yr = 0.378525; k = 1.266017; w = 1 / (1 + 0.479216) = 0.676033;
    // expected = 0.676033 × 0.378525 + 0.323967 × 1 = 0.255896 + 0.323967 = 0.579863.
    expect(e.predicted).toBeCloseTo(0.378525, 5);
    expect(e.weight).toBeCloseTo(0.676033, 5);
    expect(e.expected).toBeCloseTo(0.579863, 5);
    expect(e.crashes).toEqual({ fatal: 0, serious: 1, slight: 0, pdo: 0 });
  });
});

describe('severity split (HSM Table 10-3)', () => {
  it('takes K + A = 1.3 % + 5.4 % = 6.7 % on two-lane rural roads, more beside cliffs and water', () => {
    expect(fsiShare('primary', 3)).toBeCloseTo(0.067, 9);
    // RHR 7 beside a cliff: 0.067 × 1.8 = 0.1206.
    expect(fsiShare('primary', 7)).toBeCloseTo(0.1206, 9);
    expect(fsiShare('residential', 3)).toBeCloseTo(0.04, 9);
    expect(fsiShare('no-such-class', 3)).toBe(RISK_MODEL.severity.fallbackShare);
  });
});

describe(assessRisk.name, () => {
  const now = new Date('2026-06-01T00:00:00Z');
  const plainPrimary: RoadAttributes = roadAttributesFrom('primary', 100, {});

  it('lists 50 open hazards one by one and counts the others by category and severity: the same score, an explanation an event can carry', () => {
    const categories = ['rockfall', 'landslide', 'pothole'] as const;
    const severities = ['low', 'medium', 'high', 'critical'] as const;
    const hazards = Array.from({ length: 300 }, (_, i) => ({ id: `h${String(i).padStart(3, '0')}`, category: categories[i % 3], severity: severities[i % 4] }));
    const r = assessRisk({ road: plainPrimary, crashes: [], hazards, now });
    const listed = r.factors.filter((f) => f.factor === 'hazard');
    expect(listed.slice(0, 50).map((f) => /\((h\d{3})\)$/.exec(f.detail ?? '')?.[1])).toEqual(hazards.slice(0, 50).map((h) => h.id));
    // 250 more: 12 groups of category and severity, with 250 hazards between them.
    const groups = listed.slice(50);
    expect(groups).toHaveLength(12);
    expect(groups.reduce((n, f) => n + Number(/^(\d+) more /.exec(f.detail ?? '')![1]), 0)).toBe(250);
    expect(r.factors.length).toBeLessThanOrEqual(200);
    // The hazards' product is that of every hazard, one by one.
    const product = hazards.reduce((a, h) => a * hazardCmf(h), 1);
    expect(listed.reduce((a, f) => a * f.value, 1) / product).toBeCloseTo(1, 2);
    const one = assessRisk({ road: plainPrimary, crashes: [], hazards: hazards.slice(0, 50), now });
    expect(one.factors.filter((f) => f.factor === 'hazard')).toEqual(listed.slice(0, 50));
  });

  it('gives expected FSI per km-year as the product of its factors', () => {
    const r = assessRisk({ road: plainPrimary, crashes: [], hazards: [], now });
    // Predicted over the reach (the 100 m segment alone; k over the 300 m minimum, 1.266017):
    // N_pred = 0.830069 × 0.1 km × 1.261751 yr = 0.104734; w = 1 / (1 + 1.266017 × 0.104734) = 0.882928.
    // No crash in 3 years: expected = w × N_pred, so the EB ratio is w. Score: 0.830069 × 0.882928 × 0.067 = 0.049104.
    expect(r.crashes.weight).toBeCloseTo(0.882928, 5);
    expect(r.score).toBeCloseTo(0.049104, 5);
    expect(r.level).toBe('low');
    expect(r.alarm).toBe('green');
    expect(r.factors.map((f) => f.factor)).toEqual(['traffic', 'crashes', 'severity']);
    const product = r.factors.reduce((a, f) => a * f.value, 1);
    expect(product).toBeCloseTo(r.score, 4);
  });

  it('multiplies the CMFs of a sharp, steep curve beside a cliff', () => {
    const road = roadAttributesFrom('primary', 100, { curvatureClass: 'sharp', curvatureRadiusM: 80, gradePct: 7, cliffSide: 'left', dropLeftM: 40 });
    const p = predictSegment(road);
    // 0.830069 × 3.930731 × 1.16 × 1.306302 = 4.944118 crashes / km·yr; FSI share 0.067 × 1.8 = 0.1206.
    expect(p.predictedPerKmYear).toBeCloseTo(4.944118, 5);
    expect(p.fsiShare).toBeCloseTo(0.1206, 6);
    const r = assessRisk({ road, crashes: [], hazards: [], now });
    // N_pred = 4.944118 × 0.1 × 1.261751 = 0.623824; w = 1 / (1 + 1.266017 × 0.623824) = 0.558730;
    // score = 4.944118 × 0.558730 × 0.1206 = 0.333149.
    expect(r.score).toBeCloseTo(0.333149, 5);
    expect(r.factors.map((f) => f.factor)).toEqual(['traffic', 'curve', 'grade', 'roadside', 'crashes', 'severity']);
  });

  it('counts a verified guardrail as protection of its side', () => {
    const road = roadAttributesFrom('primary', 100, { cliffSide: 'left', dropLeftM: 40 });
    const bare = assessRisk({ road, crashes: [], hazards: [], now });
    const guarded = assessRisk({ road, guarded: { left: true, right: false }, crashes: [], hazards: [], now });
    expect(guarded.score).toBeLessThan(bare.score);
    expect(guarded.prediction.rhr).toBe(5);
  });

  it('reads a recorded guardrail as protection, one recorded absent or damaged as none whatever the map says, unknown as the map', () => {
    const road = roadAttributesFrom('primary', 100, { cliffSide: 'left', dropLeftM: 40, guardrail: { left: 0.8, right: 0 } });
    const bare = roadAttributesFrom('primary', 100, { cliffSide: 'left', dropLeftM: 40 });
    const score = (r: RoadAttributes, guarded?: { left: boolean; right: boolean }) => assessRisk({ road: r, guarded, crashes: [], hazards: [], now });
    // Mapped (share 0.8 ≥ 0.5): protected; recorded absent or damaged: the mapped share no longer counts.
    expect(sideRating(road, 'left').rhr).toBe(5);
    expect(sideRating(withInventory(road, { left: 'absent' }), 'left')).toEqual({ rhr: 7, why: 'left: cliff, drop 40 m, no guardrail (recorded)' });
    expect(sideRating(withInventory(road, { left: 'damaged' }), 'left')).toEqual({ rhr: 7, why: 'left: cliff, drop 40 m, guardrail damaged (recorded)' });
    expect(score(withInventory(road, { left: 'absent' })).score).toBe(score(bare).score);
    // None mapped but recorded present: protected, as a verified fix would be.
    expect(sideRating(withInventory(bare, { left: 'present' }), 'left')).toEqual({ rhr: 5, why: 'left: cliff, drop 40 m, guardrail recorded' });
    expect(score(withInventory(bare, { left: 'present' })).score).toBe(score(bare, { left: true, right: false }).score);
    // Unknown, or a record of the other side only: the map decides.
    expect(score(withInventory(bare, { left: 'unknown' })).score).toBe(score(bare).score);
    expect(score(withInventory(road, { left: 'unknown', right: 'absent' })).score).toBe(score(road).score);
    // A verified guardrail is protection even where the inventory says otherwise (the service passes it only when newer).
    expect(sideRating(withInventory(bare, { left: 'absent' }), 'left', { left: true, right: false }).rhr).toBe(5);
  });

  it('gives open hazards a typed category and a CMF, and raises the alarm only for live signals', () => {
    const quiet = assessRisk({ road: plainPrimary, crashes: [], hazards: [], now });
    const r = assessRisk({ road: plainPrimary, crashes: [], hazards: [{ id: 'h1', category: 'rockfall', severity: 'critical' }], now });
    // 1 + 0.3 × 4 = 2.2.
    expect(hazardCmf({ category: 'rockfall', severity: 'critical' })).toBeCloseTo(2.2, 9);
    expect(r.factors.find((f) => f.factor === 'hazard')).toEqual({ factor: 'hazard', value: 2.2, detail: 'critical rockfall open (h1)', hazardCategory: 'rockfall' });
    expect(r.score).toBeCloseTo(quiet.score * 2.2, 5);
    expect(r.alarm).toBe('red');
    expect(assessRisk({ road: plainPrimary, crashes: [], hazards: [{ id: 'h2', category: 'ice', severity: 'high' }], now }).alarm).toBe('yellow');
    expect(assessRisk({ road: plainPrimary, crashes: [], hazards: [], fixFailed: true, now }).alarm).toBe('red');
    // Crashes above the prediction: one is yellow, two well above it red.
    const day = (d: number) => new Date(now.getTime() - d * 86_400_000);
    expect(assessRisk({ road: plainPrimary, crashes: [{ id: 'c1', occurredAt: day(1), severity: 'slight' }], hazards: [], now }).alarm).toBe('yellow');
    const two = assessRisk({ road: plainPrimary, crashes: [{ id: 'c1', occurredAt: day(1), severity: 'slight' }, { id: 'c2', occurredAt: day(30), severity: 'pdo' }], hazards: [], now });
    expect(two.alarm).toBe('red');
    expect(two.alarmReasons[0]).toMatch(/crashes \d\.\d\d× the prediction/);
    // A road built badly but with nothing happening on it is not an alarm.
    const badDesign = roadAttributesFrom('primary', 100, { curvatureClass: 'very_sharp', cliffSide: 'both', gradePct: 12 });
    expect(assessRisk({ road: badDesign, crashes: [], hazards: [], now }).alarm).toBe('green');
  });

  it('moves a quiet segment at most one level for one fatal crash, and puts three serious crashes within a year on 300 m at the top', () => {
    const track = roadAttributesFrom('track', 100, {});
    const neighbours = ['a', 'b'].map((id) => ({ segmentId: id, lengthM: 100, predictedPerKmYear: predictSegment(track).predictedPerKmYear }));
    const quiet = assessRisk({ road: track, neighbours, crashes: [], hazards: [], now });
    const fatal = assessRisk({ road: track, neighbours, crashes: [{ id: 'f', occurredAt: now, severity: 'fatal' }], hazards: [], now });
    expect(quiet.level).toBe('very_low');
    expect(levelRank(fatal.level) - levelRank(quiet.level)).toBeLessThanOrEqual(1);
    // One crash multiplies the EB expectation by (w + (1 − w)/N) / w = 1 + k at most: k = 1.266017 over 300 m.
    expect(fatal.score / quiet.score).toBeLessThanOrEqual(1 + overdispersion(300) + 1e-6);
    const days = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const three: Crash[] = [300, 150, 10].map((d, i) => ({ id: `s${i}`, occurredAt: days(d), severity: 'serious' }));
    const cluster = assessRisk({ road: track, neighbours, crashes: three, hazards: [], now });
    expect(cluster.level).toBe('very_high');
    expect(cluster.alarm).toBe('red');
    expect(cluster.factors.find((f) => f.factor === 'cluster')?.detail).toMatch(/3 fatal-or-serious crashes within 300 m/);
    // Spread over more than a year they are history, not a cluster.
    const spread = assessRisk({ road: track, neighbours, crashes: [700, 400, 10].map((d, i) => ({ id: `t${i}`, occurredAt: days(d), severity: 'serious' as const })), hazards: [], now });
    expect(spread.level).not.toBe('very_high');
  });

  const roadArb = fc.record({
    roadClass: fc.constantFrom('primary', 'secondary', 'tertiary', 'unclassified', 'residential', 'service', 'track'),
    lengthM: fc.double({ min: 1, max: 100, noNaN: true }),
    curvatureClass: fc.constantFrom('straight', 'moderate', 'sharp', 'very_sharp'),
    gradePct: fc.option(fc.double({ min: -25, max: 25, noNaN: true })),
    cliffSide: fc.constantFrom(null, 'left', 'right', 'both'),
    dropLeftM: fc.option(fc.double({ min: 0, max: 80, noNaN: true })),
    waterLeftM: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
    waterType: fc.constantFrom('river', 'stream', 'lake'),
    bridge: fc.boolean(),
  });
  const severityArb = fc.constantFrom('fatal', 'serious', 'slight', 'pdo') as fc.Arbitrary<Crash['severity']>;

  it('moves a segment at most one level for any single crash (property)', () => {
    fc.assert(
      fc.property(roadArb, severityArb, fc.integer({ min: 0, max: 3 * 365 }), fc.integer({ min: 0, max: 4 }), (a, severity, ageDays, before) => {
        const road = roadAttributesFrom(a.roadClass, a.lengthM, a);
        const history: Crash[] = Array.from({ length: before }, (_, i) => ({ id: `c${i}`, occurredAt: new Date(now.getTime() - (i + 1) * 200 * 86_400_000), severity: 'slight' }));
        const prior = assessRisk({ road, crashes: history, hazards: [], now });
        const after = assessRisk({ road, crashes: [...history, { id: 'x', occurredAt: new Date(now.getTime() - ageDays * 86_400_000), severity }], hazards: [], now });
        expect(after.score).toBeGreaterThanOrEqual(prior.score);
        expect(levelRank(after.level) - levelRank(prior.level)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('never gives a negative or non-finite score (property)', () => {
    fc.assert(
      fc.property(roadArb, fc.integer({ min: 0, max: 20 }), (a, n) => {
        const road = roadAttributesFrom(a.roadClass, a.lengthM, a);
        const crashes: Crash[] = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, occurredAt: new Date(now.getTime() - i * 30 * 86_400_000), severity: 'pdo' }));
        const r = assessRisk({ road, crashes, hazards: [], now });
        expect(Number.isFinite(r.score)).toBe(true);
        expect(r.score).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('levels', () => {
  it('cuts expected FSI per km-year at the documented bounds', () => {
    const [a, b, c, d] = RISK_MODEL.levelThresholds;
    expect([0, a * 0.99, a, b * 0.99, b, c * 0.99, c, d * 0.99, d, 100].map((s) => levelOf(s))).toEqual([
      'very_low', 'very_low', 'low', 'low', 'medium', 'medium', 'high', 'high', 'very_high', 'very_high',
    ]);
  });

  it('spaces adjacent bounds more than the largest step one crash can make (1 + k over the minimum reach)', () => {
    const t = RISK_MODEL.levelThresholds;
    for (let i = 1; i < t.length; i++) expect(t[i] / t[i - 1]).toBeGreaterThan(1 + overdispersion(RISK_MODEL.eb.minReachM));
  });

  it('gives each level the scores levelOf puts in it, and merges adjacent bands', () => {
    for (const score of [0, 0.005, 0.02, 0.05, 0.2, 0.5, 3]) {
      const { min, max } = levelBand(levelOf(score));
      expect(score >= min && score < max).toBe(true);
    }
    const [, b, c] = RISK_MODEL.levelThresholds;
    expect(scoreBands(['high', 'very_high', 'medium'])).toEqual([{ min: b, max: Infinity }]);
    expect(scoreBands(['very_low', 'high'])).toEqual([{ min: -Infinity, max: RISK_MODEL.levelThresholds[0] }, { min: c, max: RISK_MODEL.levelThresholds[3] }]);
  });

  it('reads the static exposure level as a design star rating, 5 stars safest', () => {
    expect(RISK_LEVELS.map(designStars)).toEqual([5, 4, 3, 2, 1]);
  });

  it('describes the levels with their unit for the map', () => {
    const legend = riskLegend();
    expect(legend.unit.long).toBe('expected fatal and serious crashes per km per year');
    expect(legend.levels.map((l) => l.id)).toEqual([...RISK_LEVELS]);
    expect(legend.levels[0].from).toBe(0);
    expect(legend.levels[4].to).toBeNull();
  });

  it('proposes thresholds that put the asked share of length above each bound', () => {
    // 100 segments of 100 m with scores 0.001 … 0.100: the top 5 % of length are the five highest.
    const segments = Array.from({ length: 100 }, (_, i) => ({ lengthM: 100, fsiPerKmYear: (i + 1) / 1000 }));
    const p = proposeThresholds(segments);
    expect(p.thresholds).toEqual([0.041, 0.066, 0.086, 0.096]);
    expect(p.lengthShareAbove).toEqual([0.6, 0.35, 0.15, 0.05]);
  });
});
