/**
 * The published formulas of the risk model, one function each, pure. Units are in the names.
 */
import type { CurvatureClass } from '../score/score.config';
import { RISK_MODEL, type RoadsideHazardRating } from './risk-model.config';

export const METRES_PER_MILE = 1609.344;
export const METRES_PER_FOOT = 0.3048;
const DAY_MS = 86_400_000;
const YEAR_DAYS = 365.25;

/** The AADT a road class stands for when no count is known. */
export function assumedAadt(roadClass: string): number {
  return RISK_MODEL.aadtByClass[roadClass] ?? RISK_MODEL.fallbackAadt;
}

/** HSM Eq. 10-6 per km: base crashes per km-year of a rural two-lane segment carrying `aadt`. */
export function spfCrashesPerKmYear(aadt: number): number {
  return (Math.max(aadt, 0) * RISK_MODEL.spf.perMileYearPerAadt * 1000) / METRES_PER_MILE;
}

/** HSM Eq. 10-7: overdispersion of the SPF over a length, k = 0.236 / L[mi]. */
export function overdispersion(lengthM: number): number {
  return RISK_MODEL.spf.overdispersionMiles / (Math.max(lengthM, 1) / METRES_PER_MILE);
}

/** HSM Part B Eq. A-5 weight: w = 1 / (1 + k · N_pred). */
export function ebWeight(k: number, predicted: number): number {
  return 1 / (1 + k * Math.max(predicted, 0));
}

/** HSM Part B Eq. A-4: N_expected = w · N_pred + (1 − w) · N_obs. */
export function ebExpected(predicted: number, observed: number, weight: number): number {
  return weight * predicted + (1 - weight) * observed;
}

/** HSM Eq. 10-13: horizontal curve CMF; Lc and R in metres here, converted to miles and feet. */
export function hsmCurveCmf(radiusM: number, curveLengthM: number, spiral: 0 | 1 = 0): number {
  const lcMi = curveLengthM / METRES_PER_MILE;
  const rFt = Math.max(radiusM / METRES_PER_FOOT, 100);
  return (1.55 * lcMi + 80.2 / rFt - 0.012 * spiral) / (1.55 * lcMi);
}

/** The curve CMF of an engine curvature class (HSM Eq. 10-13 at the class's representative radius). */
export function curveCmf(curvatureClass: CurvatureClass | null): number {
  if (curvatureClass === null || curvatureClass === 'straight') return 1;
  const c = RISK_MODEL.cmf.curve;
  return hsmCurveCmf(c.representativeRadiusM[curvatureClass], c.lengthM);
}

/** HSM Table 10-11 by the absolute grade; unknown grade counts as level. */
export function gradeCmf(gradePct: number | null): number {
  if (gradePct === null || !Number.isFinite(gradePct)) return 1;
  const g = Math.abs(gradePct);
  return RISK_MODEL.cmf.grade.find((b) => g <= b.upToPct)!.cmf;
}

/** HSM Eq. 10-14: roadside hazard rating CMF, base RHR 3. */
export function roadsideCmf(rhr: number): number {
  return Math.exp(-0.6869 + 0.0668 * rhr) / Math.exp(-0.4865);
}

/** HSM Table 10-3 with Roadloop's roadside multiplier: the fatal-and-serious share of a segment's crashes. */
export function fsiShare(roadClass: string, rhr: RoadsideHazardRating): number {
  const s = RISK_MODEL.severity;
  const base = s.fsiShareByClass[roadClass] ?? s.fallbackShare;
  return Math.min(s.maxShare, base * s.roadsideMultiplier[rhr]);
}

/** Weight of a crash `ageDays` old: halves every half-life, 0 outside the window. */
export function crashWeight(ageDays: number): number {
  const eb = RISK_MODEL.eb;
  if (ageDays > eb.windowYears * YEAR_DAYS) return 0;
  return 0.5 ** (Math.max(ageDays, 0) / eb.halfLifeDays);
}

/** ∫ of the crash weight over the window, in years: the years a prediction covers, weighted alike. */
export function effectiveYears(): number {
  const { halfLifeDays, windowYears } = RISK_MODEL.eb;
  const h = halfLifeDays / YEAR_DAYS;
  return (h / Math.LN2) * (1 - 0.5 ** (windowYears / h));
}

export const ageInDays = (at: Date, now: Date) => (now.getTime() - at.getTime()) / DAY_MS;
