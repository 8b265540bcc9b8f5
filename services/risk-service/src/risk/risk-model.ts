import { HazardCategory, HazardSeverity, RISK_LEVELS, RiskLevel } from '@roadloop/contracts';

/**
 * Live risk of a segment: its static exposure (from the geospatial engine, 0–100) plus the open
 * hazards on it. A pure function: the same inputs always give the same score and explanation.
 */
export interface RiskFactor {
  factor: string;
  value: number;
  detail?: string;
}

export interface RiskAssessment {
  score: number;
  level: RiskLevel;
  factors: RiskFactor[];
}

export interface OpenHazard {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
}

export const RISK_MODEL = {
  version: '2026-11-skeleton',
  /** Points a hazard of each category adds at `medium` severity. */
  hazardPoints: {
    rockfall: 20,
    landslide: 25,
    missing_guardrail: 20,
    damaged_guardrail: 15,
    flooded_road: 20,
    pothole: 5,
    sight_obstruction: 10,
    missing_sign: 8,
    ice: 15,
    debris: 8,
    other: 5,
  } satisfies Record<HazardCategory, number>,
  severityMultiplier: { low: 0.5, medium: 1, high: 1.5, critical: 2.5 } satisfies Record<HazardSeverity, number>,
  /** Lower bounds of the levels above very_low, in score points. */
  levelThresholds: [20, 35, 50, 70] as const,
} as const;

export function levelOf(score: number): RiskLevel {
  const i = RISK_MODEL.levelThresholds.findIndex((t) => score < t);
  return RISK_LEVELS[i === -1 ? RISK_LEVELS.length - 1 : i];
}

export function assessRisk(exposureScore: number, hazards: readonly OpenHazard[]): RiskAssessment {
  const factors: RiskFactor[] = [{ factor: 'exposure', value: round(exposureScore) }];
  for (const h of [...hazards].sort((a, b) => a.id.localeCompare(b.id))) {
    const points = RISK_MODEL.hazardPoints[h.category] * RISK_MODEL.severityMultiplier[h.severity];
    factors.push({ factor: `hazard:${h.category}`, value: round(points), detail: `${h.severity} (${h.id})` });
  }
  const score = round(factors.reduce((sum, f) => sum + f.value, 0));
  return { score, level: levelOf(score), factors };
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
