/**
 * The five levels: their bands in expected FSI per km-year, their colours, the design rating shown
 * beside them, and thresholds proposed from a region's own distribution.
 */
import { RISK_LEVELS, RISK_MODEL, RISK_PALETTE, RISK_UNIT, type RiskLevel } from './risk-model.config';

export function levelOf(fsiPerKmYear: number, thresholds: readonly number[] = RISK_MODEL.levelThresholds): RiskLevel {
  const i = thresholds.findIndex((t) => fsiPerKmYear < t);
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

export const levelRank = (level: RiskLevel | null): number => (level === null ? -1 : RISK_LEVELS.indexOf(level));

/**
 * The roadside design rating: the engine's static exposure level read as a star rating (iRAP: 5★
 * safest, 1★ least safe). It says how forgiving the road is built, not how risky it is today.
 */
export function designStars(exposureLevel: RiskLevel): 1 | 2 | 3 | 4 | 5 {
  return (5 - RISK_LEVELS.indexOf(exposureLevel)) as 1 | 2 | 3 | 4 | 5;
}

/** What a map or a report needs to draw the levels: served to the browser as JSON. */
export function riskLegend() {
  const t = RISK_MODEL.levelThresholds;
  return {
    modelVersion: RISK_MODEL.version,
    unit: RISK_UNIT,
    levels: RISK_LEVELS.map((id, i) => ({
      id,
      label: RISK_PALETTE[id].label,
      /** The colour's name (the five-colour map's words, used by the daily index's bands). */
      name: RISK_PALETTE[id].colour,
      colour: RISK_PALETTE[id].hex,
      from: i === 0 ? 0 : t[i - 1],
      to: i < t.length ? t[i] : null,
    })),
    designRatings: RISK_LEVELS.map((id) => ({ exposureLevel: id, stars: designStars(id), colour: RISK_PALETTE[id].hex })),
  };
}

export interface ThresholdProposal {
  /** Lower bounds of low … very_high, in expected FSI per km-year (two significant digits). */
  thresholds: number[];
  /** Share of length at or above each proposed bound, as it falls on this distribution. */
  lengthShareAbove: number[];
}

/**
 * Thresholds from a region's own distribution: the length-weighted quantiles at which the given
 * shares of road length lie above each bound (default: 5 % at the top level, 15 % in the top two,
 * 35 % in the top three, 60 % in the top four), rounded down to two significant digits so the bands
 * read as round numbers.
 */
export function proposeThresholds(
  segments: readonly { lengthM: number; fsiPerKmYear: number }[],
  sharesAbove: readonly number[] = [0.6, 0.35, 0.15, 0.05],
): ThresholdProposal {
  const sorted = [...segments].filter((s) => s.lengthM > 0).sort((a, b) => b.fsiPerKmYear - a.fsiPerKmYear);
  const total = sorted.reduce((a, s) => a + s.lengthM, 0);
  const quantile = (share: number) => {
    let acc = 0;
    for (const s of sorted) {
      acc += s.lengthM;
      if (acc >= share * total) return s.fsiPerKmYear;
    }
    return 0;
  };
  const thresholds = sharesAbove.map((share) => roundDown2(quantile(share)));
  for (let i = 1; i < thresholds.length; i++) if (thresholds[i] <= thresholds[i - 1]) thresholds[i] = nextUp(thresholds[i - 1]);
  const lengthShareAbove = thresholds.map((t) => (total ? sorted.filter((s) => s.fsiPerKmYear >= t).reduce((a, s) => a + s.lengthM, 0) / total : 0));
  return { thresholds, lengthShareAbove };
}

function roundDown2(x: number): number {
  if (!(x > 0)) return 0;
  const e = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((Math.floor(x / e + 1e-9) * e).toPrecision(2));
}

function nextUp(x: number): number {
  if (!(x > 0)) return 0.0001;
  const e = 10 ** (Math.floor(Math.log10(x)) - 1);
  return Number((x + e).toPrecision(2));
}
