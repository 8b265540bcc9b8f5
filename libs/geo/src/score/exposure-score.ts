/**
 * The exposure score: how costly it is to leave the road here. iRAP-style run-off model —
 * roadside severity × likelihood multipliers (iRAP Star Rating: score = Σ likelihood × severity ×
 * operating speed factors) — written as an exact sum of per-factor points so every score can be
 * explained:
 *
 *   R = Σ sides (base + water + drop-off + cliff + guardrail)     roadside severity, points
 *   score = R × curvature × grade × speed
 *         = R + R(c−1) + Rc(g−1) + Rcg(v−1)                          (telescoping sum)
 *
 * Each factor's points are the rounded partial sums' differences (in hundredths), so the factors
 * add up to the score exactly and the score is the model's value rounded to 0.01.
 */
import {
  EXPOSURE_LEVELS,
  type CurvatureClass,
  type ExposureLevel,
  type GradeClass,
  type ScoreConfig,
} from './score.config';

/** Mean roadside points over a segment's stations, on one side (guardrail ≤ 0). */
export interface SideSeverity {
  readonly water: number;
  readonly dropOff: number;
  readonly cliff: number;
  readonly guardrail: number;
}

export interface ExposureInputs {
  readonly left: SideSeverity;
  readonly right: SideSeverity;
  readonly curvatureClass: CurvatureClass;
  /** null when the grade is unknown: the grade factor then counts as 1. */
  readonly gradeClass: GradeClass | null;
  readonly speedKmh: number;
}

/** Points added by each factor; they sum to the score. */
export interface ExposureFactors {
  roadside: number;
  water: number;
  dropOff: number;
  cliff: number;
  guardrail: number;
  curvature: number;
  grade: number;
  speed: number;
}

export const FACTOR_NAMES: readonly (keyof ExposureFactors)[] = ['roadside', 'water', 'dropOff', 'cliff', 'guardrail', 'curvature', 'grade', 'speed'];

export interface Exposure {
  score: number;
  level: ExposureLevel;
  factors: ExposureFactors;
  multipliers: { curvature: number; grade: number; speed: number };
}

function curvatureMultiplier(cls: CurvatureClass, config: ScoreConfig): number {
  return config.curvature.classes[cls].multiplier;
}

function gradeMultiplier(cls: GradeClass | null, config: ScoreConfig): number {
  return cls === null ? 1 : config.grade.classes[cls].multiplier;
}

/** Power model (Nilsson 2004): (v / v_ref)^p, clamped to the configured range. */
export function speedMultiplier(speedKmh: number, config: ScoreConfig): number {
  const { referenceKmh, exponent, minMultiplier, maxMultiplier } = config.speed;
  const m = Math.pow(speedKmh / referenceKmh, exponent);
  return Math.min(maxMultiplier, Math.max(minMultiplier, m));
}

export function exposureLevelOf(score: number, config: ScoreConfig): ExposureLevel {
  let level: ExposureLevel = EXPOSURE_LEVELS[0];
  for (const band of config.levels) if (score >= band.fromScore) level = band.level;
  return level;
}

const hundredths = (x: number) => Math.round(x * 100);

export function computeExposure(inputs: ExposureInputs, config: ScoreConfig): Exposure {
  const { left, right } = inputs;
  const c = curvatureMultiplier(inputs.curvatureClass, config);
  const g = gradeMultiplier(inputs.gradeClass, config);
  const v = speedMultiplier(inputs.speedKmh, config);

  const steps: [keyof ExposureFactors, number][] = [
    ['roadside', 2 * config.roadside.baseSeverityPerSide],
    ['water', left.water + right.water],
    ['dropOff', left.dropOff + right.dropOff],
    ['cliff', left.cliff + right.cliff],
    ['guardrail', left.guardrail + right.guardrail],
  ];
  let partial = 0;
  const cumulative: number[] = [];
  for (const [, points] of steps) cumulative.push((partial += points));
  const r = partial;
  cumulative.push(r * c, r * c * g, r * c * g * v);
  const names = [...steps.map(([n]) => n), 'curvature', 'grade', 'speed'] as (keyof ExposureFactors)[];

  const factors = {} as ExposureFactors;
  let previous = 0;
  for (let i = 0; i < names.length; i++) {
    const now = hundredths(cumulative[i]);
    factors[names[i]] = (now - previous) / 100;
    previous = now;
  }
  const score = previous / 100;
  return { score, level: exposureLevelOf(score, config), factors, multipliers: { curvature: c, grade: g, speed: v } };
}
