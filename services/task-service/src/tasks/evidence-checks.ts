/** The automatic checks of completion evidence. A failed check never blocks a submission: the inspector sees it. */
export const EVIDENCE_CHECKS = ['photos', 'position', 'timing', 'exif'] as const;
export type EvidenceCheckName = (typeof EVIDENCE_CHECKS)[number];

export interface EvidenceCheck {
  check: EvidenceCheckName;
  passed: boolean;
  detail: string;
  /** The photos (SHA-256) a failed check is about, for the inspector to see which. */
  photos?: string[];
}

/** What is known of one photo of the evidence. */
export interface PhotoFacts {
  sha256: string;
  /** Uploaded to the evidence store; otherwise only linked by URL, and nothing about it can be checked. */
  uploaded: boolean;
  /** Whether its EXIF has a position, and that position's geodesic distance to the segment, metres (null: unknown segment). */
  exifHasPosition: boolean;
  exifDistanceM: number | null;
  exifTakenAt: Date | null;
  /** `unknown`: a camera time without its UTC offset. */
  exifTimeZone: 'utc' | 'offset' | 'unknown' | null;
}

export interface EvidenceFacts {
  photos: PhotoFacts[];
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
  return [photosCheck(facts), positionCheck(facts, limits), timingCheck(facts, limits), exifCheck(facts, limits)];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const shortHash = (sha256: string) => `photo ${sha256.slice(0, 8)}`;

function photosCheck({ photos }: EvidenceFacts): EvidenceCheck {
  const linked = photos.filter((p) => !p.uploaded).length;
  if (photos.length === 0) return { check: 'photos', passed: false, detail: 'no photo of the fix' };
  return {
    check: 'photos',
    passed: true,
    detail: `${plural(photos.length, 'photo')}${linked ? `, ${linked} linked by URL and not uploaded` : ''}`,
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

/**
 * A camera time without its UTC offset is local time in a zone the server does not know: it is
 * taken as UTC and allowed the widest zone offsets (UTC+14 … UTC−12), hours.
 */
const UNKNOWN_ZONE_SLACK_MS = 14 * 3_600_000;

/**
 * What the photos say of themselves (EXIF), checked like the GPS fix: taken within the distance
 * limit of the segment, after the task was accepted, not in the future. A photo without an EXIF
 * position or time (many phones strip them on upload) is noted, not failed: only what contradicts
 * the fix fails the check.
 */
function exifCheck({ photos, acceptedAt, now }: EvidenceFacts, { maxDistanceM, clockSkewS }: EvidenceLimits): EvidenceCheck {
  const uploaded = photos.filter((p) => p.uploaded);
  if (uploaded.length === 0) return { check: 'exif', passed: true, detail: 'no uploaded photo: nothing to check' };
  const problems: string[] = [];
  const notes: string[] = [];
  const flagged = new Set<string>();
  for (const p of uploaded) {
    const name = shortHash(p.sha256);
    if (!p.exifHasPosition) notes.push(`${name} has no EXIF position`);
    else if (p.exifDistanceM !== null && p.exifDistanceM > maxDistanceM) {
      problems.push(`${name} taken ${Math.round(p.exifDistanceM)} m from the segment (limit ${maxDistanceM} m)`);
      flagged.add(p.sha256);
    }
    if (!p.exifTakenAt) {
      notes.push(`${name} has no EXIF time`);
      continue;
    }
    const slack = p.exifTimeZone === 'unknown' ? UNKNOWN_ZONE_SLACK_MS : 0;
    const zone = p.exifTimeZone === 'unknown' ? ' (camera time, zone unknown)' : '';
    if (acceptedAt && p.exifTakenAt.getTime() + slack < acceptedAt.getTime()) {
      problems.push(`${name} taken ${p.exifTakenAt.toISOString()}${zone}, before acceptance at ${acceptedAt.toISOString()}`);
      flagged.add(p.sha256);
    } else if (p.exifTakenAt.getTime() - slack > now.getTime() + clockSkewS * 1000) {
      problems.push(`${name} taken ${p.exifTakenAt.toISOString()}${zone}, in the future`);
      flagged.add(p.sha256);
    }
  }
  const noted = notes.length ? `; ${notes.join('; ')}` : '';
  if (problems.length) return { check: 'exif', passed: false, detail: `${problems.join('; ')}${noted}`, photos: [...flagged] };
  return { check: 'exif', passed: true, detail: `${plural(uploaded.length, 'uploaded photo')} consistent with the fix${noted}` };
}
