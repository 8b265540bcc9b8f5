import { CrashSeverity, HazardCategory, HazardSeverity, RISK_LEVELS, RiskLevel } from '@roadloop/contracts';

/**
 * Live risk of a road segment, explained factor by factor:
 *
 *   score = static exposure (geospatial engine, after verified countermeasures)
 *         + crash history (severity-weighted, decayed, Empirical-Bayes blended with a prediction)
 *         + open hazards (by category and severity)
 *
 * Pure: the same inputs always give the same score and the same explanation.
 */
export interface RiskFactor {
  factor: string;
  value: number;
  detail?: string;
}

export type Alarm = 'red' | 'yellow' | 'green';

export interface OpenHazard {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
}

export interface Crash {
  id: string;
  occurredAt: Date;
  severity: CrashSeverity;
}

export interface CrashEstimate {
  /** Crashes predicted for the window from exposure and length (the SPF). */
  predicted: number;
  /** Decayed count of crashes observed in the window. */
  observed: number;
  /** EB weight on the prediction, w = 1 / (1 + k·N_pred). */
  weight: number;
  /** EB expected crashes, w·N_pred + (1 − w)·N_obs. */
  expected: number;
  /** Severity-weighted (EPDO) expected minus predicted: the potential for safety improvement. */
  excessEpdo: number;
}

export interface RiskInputs {
  exposureScore: number;
  lengthM: number;
  hazards: readonly OpenHazard[];
  crashes: readonly Crash[];
  now: Date;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  alarm: Alarm;
  factors: RiskFactor[];
  crashes: CrashEstimate;
}

export const RISK_MODEL = {
  version: '2026-11.1',
  /**
   * Lower bounds of low, medium, high and very_high, in score points: the same bands as the
   * engine's exposure map (green, blue, yellow, orange, red), so a segment's live colour starts at
   * its static colour and moves with hazards and crashes.
   */
  levelThresholds: [5, 10, 20, 40] as const,
  /** Three-colour alarm from the five levels (the model county's red / yellow / green warnings). */
  alarm: { very_high: 'red', high: 'red', medium: 'yellow', low: 'green', very_low: 'green' } satisfies Record<RiskLevel, Alarm>,
  /** Points an open hazard of each category adds at `medium` severity (Roadloop defaults). */
  hazardPoints: {
    rockfall: 8,
    landslide: 10,
    missing_guardrail: 8,
    damaged_guardrail: 6,
    flooded_road: 8,
    pothole: 2,
    sight_obstruction: 4,
    missing_sign: 3,
    ice: 6,
    debris: 3,
    other: 2,
  } satisfies Record<HazardCategory, number>,
  severityMultiplier: { low: 0.5, medium: 1, high: 2, critical: 4 } satisfies Record<HazardSeverity, number>,
  crash: {
    /**
     * Equivalent-property-damage-only weights (HSM Part B): cost of a crash of each severity over
     * that of a PDO crash. The HSM's example is about 542 / 11 / 1; local practice uses smaller
     * weights so that one fatal crash does not swamp every other signal (Roadloop defaults).
     */
    epdoWeights: { fatal: 12, serious: 6, slight: 3, pdo: 1 } satisfies Record<CrashSeverity, number>,
    /** Crashes older than this are ignored, in years. */
    windowYears: 3,
    /** A crash's weight halves every this many days (recent crashes say more about the road now). */
    halfLifeDays: 365,
    /** SPF: crashes per km-year on a segment of reference exposure (Roadloop default, calibrate). */
    baseRatePerKmYear: 0.4,
    /** SPF multiplier = clamp((E / referenceExposure)^elasticity, min, max). */
    referenceExposure: 10,
    exposureElasticity: 0.5,
    spfMultiplierRange: [0.25, 4] as const,
    /** Overdispersion per km; k = k_km / length_km (HSM: k is per unit length). */
    overdispersionPerKm: 1,
    /** EPDO of an average predicted crash, to weigh the prediction like the observations. */
    meanEpdoPerCrash: 2,
    pointsPerExcessEpdo: 4,
    maxPoints: 60,
  },
} as const;

const DAY_MS = 86_400_000;

export function levelOf(score: number): RiskLevel {
  const i = RISK_MODEL.levelThresholds.findIndex((t) => score < t);
  return RISK_LEVELS[i === -1 ? RISK_LEVELS.length - 1 : i];
}

/** The score range of a level: min inclusive, max exclusive (the bands levelOf cuts at). */
export function levelBand(level: RiskLevel): { min: number; max: number } {
  const i = RISK_LEVELS.indexOf(level);
  const t = RISK_MODEL.levelThresholds;
  return { min: i === 0 ? -Infinity : t[i - 1], max: i >= t.length ? Infinity : t[i] };
}

/** The score ranges covering some levels, adjacent bands merged, lowest first. */
export function scoreBands(levels: readonly RiskLevel[]): { min: number; max: number }[] {
  const bands = [...new Set(levels)].sort((a, b) => RISK_LEVELS.indexOf(a) - RISK_LEVELS.indexOf(b)).map(levelBand);
  const merged: { min: number; max: number }[] = [];
  for (const b of bands) {
    const last = merged[merged.length - 1];
    if (last && last.max === b.min) last.max = b.max;
    else merged.push({ ...b });
  }
  return merged;
}

export function alarmOf(level: RiskLevel): Alarm {
  return RISK_MODEL.alarm[level];
}

/**
 * Empirical Bayes estimate of a segment's crashes (HSM Part B, eq. A-5; Persaud, Lyon & Nguyen
 * 1999): on a short, quiet segment one crash moves the estimate little; a cluster moves it a lot.
 */
export function estimateCrashes(exposureScore: number, lengthM: number, crashes: readonly Crash[], now: Date): CrashEstimate & { observedEpdo: number } {
  const c = RISK_MODEL.crash;
  const lengthKm = Math.max(lengthM, 1) / 1000;
  const [lo, hi] = c.spfMultiplierRange;
  const spf = Math.min(hi, Math.max(lo, (Math.max(exposureScore, 0) / c.referenceExposure) ** c.exposureElasticity));
  const predicted = c.baseRatePerKmYear * lengthKm * c.windowYears * spf;
  const k = c.overdispersionPerKm / lengthKm;
  const weight = 1 / (1 + k * predicted);
  let observed = 0;
  let observedEpdo = 0;
  for (const crash of crashes) {
    const ageDays = (now.getTime() - crash.occurredAt.getTime()) / DAY_MS;
    if (ageDays > c.windowYears * 365.25) continue;
    const decay = 0.5 ** (Math.max(ageDays, 0) / c.halfLifeDays);
    observed += decay;
    observedEpdo += decay * c.epdoWeights[crash.severity];
  }
  const expected = weight * predicted + (1 - weight) * observed;
  const expectedEpdo = weight * predicted * c.meanEpdoPerCrash + (1 - weight) * observedEpdo;
  const excessEpdo = Math.max(0, expectedEpdo - predicted * c.meanEpdoPerCrash);
  return { predicted, observed, weight, expected, excessEpdo, observedEpdo };
}

export function assessRisk(inputs: RiskInputs): RiskAssessment {
  const factors: RiskFactor[] = [{ factor: 'exposure', value: round(inputs.exposureScore) }];
  const estimate = estimateCrashes(inputs.exposureScore, inputs.lengthM, inputs.crashes, inputs.now);
  const crashPoints = Math.min(RISK_MODEL.crash.maxPoints, estimate.excessEpdo * RISK_MODEL.crash.pointsPerExcessEpdo);
  if (inputs.crashes.length > 0) {
    factors.push({
      factor: 'crashes',
      value: round(crashPoints),
      detail:
        `${inputs.crashes.length} crash(es); EB: predicted ${estimate.predicted.toFixed(3)}, ` +
        `observed ${estimate.observed.toFixed(2)} (decayed), weight ${estimate.weight.toFixed(3)}, ` +
        `excess ${estimate.excessEpdo.toFixed(2)} EPDO`,
    });
  }
  for (const h of [...inputs.hazards].sort((a, b) => a.id.localeCompare(b.id))) {
    const points = RISK_MODEL.hazardPoints[h.category] * RISK_MODEL.severityMultiplier[h.severity];
    factors.push({ factor: `hazard:${h.category}`, value: round(points), detail: `${h.severity} (${h.id})` });
  }
  const score = round(factors.reduce((sum, f) => sum + f.value, 0));
  const level = levelOf(score);
  const { observedEpdo: _ignored, ...crashes } = estimate;
  return { score, level, alarm: alarmOf(level), factors, crashes: roundEstimate(crashes) };
}

function roundEstimate(e: CrashEstimate): CrashEstimate {
  const r = (x: number) => Math.round(x * 10_000) / 10_000;
  return { predicted: r(e.predicted), observed: r(e.observed), weight: r(e.weight), expected: r(e.expected), excessEpdo: r(e.excessEpdo) };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
