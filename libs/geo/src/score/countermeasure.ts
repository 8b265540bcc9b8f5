import type { CurvatureClass, GradeClass, ScoreConfig } from './score.config';
import { DEFAULT_SCORE_CONFIG } from './score.config';
import { computeExposure, type Exposure, type SideSeverity } from './exposure-score';

/** What a scored segment carries that its exposure can be recomputed from. */
export interface RescorableSegment {
  roadside: { left: SideSeverity; right: SideSeverity };
  curvatureClass: CurvatureClass;
  gradeClass: GradeClass | null;
  speedKmh: number;
}

/**
 * Exposure of a segment once a guardrail protects the given sides along their whole length: the
 * side's worst roadside object is reduced by the barrier's effectiveness, the same rule the engine
 * applies to a mapped `barrier=guard_rail` (iRAP: a safety barrier replaces a severe object).
 */
export function exposureWithGuardrail(
  segment: RescorableSegment,
  guarded: { left: boolean; right: boolean },
  config: ScoreConfig = DEFAULT_SCORE_CONFIG,
): Exposure {
  const protect = (side: SideSeverity, on: boolean): SideSeverity => {
    if (!on) return side;
    const worst = side.water + side.dropOff + side.cliff;
    return { ...side, guardrail: Math.min(side.guardrail, -worst * config.guardrail.effectiveness) };
  };
  return computeExposure(
    {
      left: protect(segment.roadside.left, guarded.left),
      right: protect(segment.roadside.right, guarded.right),
      curvatureClass: segment.curvatureClass,
      gradeClass: segment.gradeClass,
      speedKmh: segment.speedKmh,
    },
    config,
  );
}
