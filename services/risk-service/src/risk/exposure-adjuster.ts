import { CURVATURE_CLASSES, GRADE_CLASSES, RescorableSegment, exposureWithGuardrail } from '@roadloop/geo';
import { SegmentExposure } from '../segments/segment.repository';
import { VerifiedTreatment } from '../tasks/task-state.repository';

export interface AdjustedExposure {
  score: number;
  detail?: string;
}

/**
 * A segment's static exposure after the countermeasures verified on it. A verified guardrail
 * protects its side: that side's worst roadside object (water, drop-off, cliff) is reduced by the
 * barrier's effectiveness, as the engine does for a mapped guardrail. Other countermeasures act
 * through the hazards they resolve.
 */
export function adjustedExposure(segment: SegmentExposure, treatments: readonly VerifiedTreatment[]): AdjustedExposure {
  const guarded = guardedSides(treatments);
  if (!guarded.left && !guarded.right) return { score: segment.exposureScore };
  const sides = [guarded.left && 'left', guarded.right && 'right'].filter(Boolean).join(' and ');
  const rescorable = rescorableFrom(segment.attributes);
  if (!rescorable) return { score: segment.exposureScore, detail: `guardrail verified (${sides}); no roadside breakdown to rescore` };
  const exposure = exposureWithGuardrail(rescorable, guarded);
  return {
    score: Math.min(segment.exposureScore, exposure.score),
    detail: `guardrail verified on the ${sides} side: exposure ${segment.exposureScore} → ${exposure.score}`,
  };
}

/** The sides a verified guardrail protects (the risk model reads them as guarded roadsides). */
export function guardedSides(treatments: readonly VerifiedTreatment[]): { left: boolean; right: boolean } {
  const guarded = { left: false, right: false };
  for (const t of treatments) {
    if (t.countermeasure !== 'guardrail') continue;
    // A guardrail task without a side protects the side(s) the segment is exposed on: both.
    if (t.side !== 'right') guarded.left = true;
    if (t.side !== 'left') guarded.right = true;
  }
  return guarded;
}

function isSide(v: unknown): v is RescorableSegment['roadside']['left'] {
  const s = v as Record<string, unknown> | null;
  return !!s && ['water', 'dropOff', 'cliff', 'guardrail'].every((k) => typeof s[k] === 'number' && Number.isFinite(s[k]));
}

/** The engine's per-side breakdown as stored with the segment, if the segment has one. */
export function rescorableFrom(attributes: Record<string, unknown>): RescorableSegment | null {
  const roadside = attributes.roadside as { left?: unknown; right?: unknown } | undefined;
  const curvatureClass = attributes.curvatureClass;
  const gradeClass = attributes.gradeClass ?? null;
  const speedKmh = attributes.speedKmh;
  if (!roadside || !isSide(roadside.left) || !isSide(roadside.right)) return null;
  if (!(CURVATURE_CLASSES as readonly unknown[]).includes(curvatureClass)) return null;
  if (gradeClass !== null && !(GRADE_CLASSES as readonly unknown[]).includes(gradeClass)) return null;
  if (typeof speedKmh !== 'number' || !(speedKmh > 0)) return null;
  return {
    roadside: { left: roadside.left, right: roadside.right },
    curvatureClass: curvatureClass as RescorableSegment['curvatureClass'],
    gradeClass: gradeClass as RescorableSegment['gradeClass'],
    speedKmh,
  };
}
