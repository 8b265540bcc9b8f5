/** The automatic checks of completion evidence. A failed check never blocks a submission: the inspector sees it. */
export const EVIDENCE_CHECKS = ['photos', 'position', 'timing'] as const;
export type EvidenceCheckName = (typeof EVIDENCE_CHECKS)[number];

export interface EvidenceCheck {
  check: EvidenceCheckName;
  passed: boolean;
  detail: string;
}

export interface EvidenceFacts {
  photoCount: number;
  /** Geodesic distance from the crew's position to the segment, metres; null when the segment's geometry is unknown. */
  distanceM: number | null;
  accuracyM: number;
  capturedAt: Date;
  /** When the current crew accepted the task; null if it never did. */
  acceptedAt: Date | null;
  now: Date;
}

export interface EvidenceLimits {
  maxDistanceM: number;
  clockSkewS: number;
}

export function evaluateEvidence(facts: EvidenceFacts, limits: EvidenceLimits): EvidenceCheck[] {
  return [photosCheck(facts), positionCheck(facts, limits), timingCheck(facts, limits)];
}

function photosCheck({ photoCount }: EvidenceFacts): EvidenceCheck {
  return {
    check: 'photos',
    passed: photoCount >= 1,
    detail: photoCount >= 1 ? `${photoCount} photo${photoCount === 1 ? '' : 's'}` : 'no photo of the fix',
  };
}

function positionCheck({ distanceM, accuracyM }: EvidenceFacts, { maxDistanceM }: EvidenceLimits): EvidenceCheck {
  if (distanceM === null) return { check: 'position', passed: false, detail: 'the segment geometry is unknown to the task service' };
  const d = Math.round(distanceM);
  return {
    check: 'position',
    passed: distanceM <= maxDistanceM,
    detail: `${d} m from the segment (limit ${maxDistanceM} m, GPS accuracy ${Math.round(accuracyM)} m)`,
  };
}

function timingCheck({ capturedAt, acceptedAt, now }: EvidenceFacts, { clockSkewS }: EvidenceLimits): EvidenceCheck {
  if (acceptedAt === null) return { check: 'timing', passed: false, detail: 'the task was never accepted' };
  if (capturedAt.getTime() < acceptedAt.getTime()) {
    return { check: 'timing', passed: false, detail: `evidence from ${capturedAt.toISOString()}, before acceptance at ${acceptedAt.toISOString()}` };
  }
  if (capturedAt.getTime() > now.getTime() + clockSkewS * 1000) {
    return { check: 'timing', passed: false, detail: `evidence from ${capturedAt.toISOString()}, in the future` };
  }
  return { check: 'timing', passed: true, detail: `taken ${capturedAt.toISOString()}, after acceptance` };
}
