import {
  CURVATURE_CLASSES,
  DEFAULT_SCORE_CONFIG,
  type ExposureLevel,
  GRADE_CLASSES,
  type Guarded,
  RISK_MODEL,
  RescorableSegment,
  type RoadsideInventory,
  type Side,
  exposureLevelOf,
  exposureWithGuardrail,
} from '@roadloop/geo';
import type { RecordedSide } from '../roadside/roadside-inventory.repository';
import { SegmentExposure } from '../segments/segment.repository';
import { VerifiedTreatment } from '../tasks/task-state.repository';

export interface AdjustedExposure {
  score: number;
  detail?: string;
}

/** What is known to stand beside each side: verified guardrails and the recorded inventory, the later word winning. */
export interface RoadsideKnowledge {
  /** Sides with a verified guardrail newer than their inventory record. */
  guarded: Guarded;
  /** The recorded state of each side a verified fix has not overtaken. */
  inventory: RoadsideInventory;
}

const SIDES = ['left', 'right'] as const;

/**
 * A verified guardrail protects its side unless the inventory recorded that side later (a survey
 * that found it damaged); an inventory record counts unless a guardrail was verified after it.
 */
export function roadsideKnowledge(treatments: readonly VerifiedTreatment[], recorded: readonly RecordedSide[] = []): RoadsideKnowledge {
  const guarded = { left: false, right: false };
  const inventory: Partial<Record<Side, RecordedSide['status']>> = {};
  for (const side of SIDES) {
    const record = recorded.find((r) => r.side === side);
    const verified = lastVerifiedGuardrail(treatments, side);
    if (verified !== null && (!record || verified > Date.parse(record.observedAt))) guarded[side] = true;
    else if (record) inventory[side] = record.status;
  }
  return { guarded, inventory };
}

/**
 * A segment's static exposure after what is known of its roadside. A guarded side (a verified or
 * recorded guardrail) has its worst roadside object (water, drop-off, cliff) reduced by the
 * barrier's effectiveness, as the engine does for a mapped guardrail; a side recorded absent or
 * damaged loses a mapped guardrail's reduction. Other countermeasures act through the hazards they resolve.
 */
export function adjustedExposure(segment: SegmentExposure, treatments: readonly VerifiedTreatment[], recorded: readonly RecordedSide[] = []): AdjustedExposure {
  const known = roadsideKnowledge(treatments, recorded);
  const guarded = { left: guardedBy(known, 'left'), right: guardedBy(known, 'right') };
  const bare = { left: bareBy(known, 'left'), right: bareBy(known, 'right') };
  if (!guarded.left && !guarded.right && !bare.left && !bare.right) return { score: segment.exposureScore };
  const rescorable = rescorableFrom(segment.attributes);
  const what = describe(known);
  if (!rescorable) return { score: segment.exposureScore, detail: `${what}; no roadside breakdown to rescore` };
  const score = rescored(segment.exposureScore, rescorable, guarded, bare);
  return { score, detail: `${what}: exposure ${segment.exposureScore} → ${score}` };
}

export interface DesignBound {
  score: number;
  level: ExposureLevel;
}

/** The design rating's range while a side's guardrail is unknown: with it standing, and without. */
export interface DesignRange {
  /** The sides whose guardrail is unknown and would change the rating. */
  unknownSides: Side[];
  protected: DesignBound;
  unprotected: DesignBound;
}

/**
 * The range of the design rating over what may stand on its unknown sides (nothing recorded and
 * none mapped, or recorded unknown), or null when every side that matters is known. A side matters
 * when a guardrail there would change the rating (it has water, a drop-off or a cliff).
 */
export function designRange(segment: SegmentExposure, treatments: readonly VerifiedTreatment[], recorded: readonly RecordedSide[] = []): DesignRange | null {
  const rescorable = rescorableFrom(segment.attributes);
  if (!rescorable) return null;
  const known = roadsideKnowledge(treatments, recorded);
  const guarded = { left: guardedBy(known, 'left'), right: guardedBy(known, 'right') };
  const bare = { left: bareBy(known, 'left'), right: bareBy(known, 'right') };
  const unknownSides = sidesAtStake(segment.attributes).filter((side) => !guarded[side] && !bare[side]);
  if (!unknownSides.length) return null;
  const on = (sides: readonly Side[]) => ({ left: sides.includes('left'), right: sides.includes('right') });
  const orSides = (a: Record<Side, boolean>, b: Record<Side, boolean>) => ({ left: a.left || b.left, right: a.right || b.right });
  const high = rescored(segment.exposureScore, rescorable, orSides(guarded, on(unknownSides)), bare);
  const low = rescored(segment.exposureScore, rescorable, guarded, orSides(bare, on(unknownSides)));
  if (high === low) return null;
  return { unknownSides, protected: bound(high), unprotected: bound(low) };
}

/**
 * The sides where a guardrail would change the design rating (water, a drop-off or a cliff beside
 * them) and none is mapped: unknown until a survey, an import or a verified fix says what stands there.
 */
export function sidesAtStake(attributes: Record<string, unknown>): Side[] {
  const rescorable = rescorableFrom(attributes);
  if (!rescorable) return [];
  const mapped = roadsideGuardrailShare(attributes);
  return SIDES.filter((side) => {
    const s = rescorable.roadside[side];
    return s.water + s.dropOff + s.cliff > 0 && mapped[side] < RISK_MODEL.cmf.roadside.protectedShare;
  });
}

/** The sides a verified guardrail protects (the risk model reads them as guarded roadsides). */
export function guardedSides(treatments: readonly VerifiedTreatment[]): { left: boolean; right: boolean } {
  return { left: lastVerifiedGuardrail(treatments, 'left') !== null, right: lastVerifiedGuardrail(treatments, 'right') !== null };
}

/** When a guardrail protecting the side was last verified (ms), or null. A guardrail task without a side protects both. */
function lastVerifiedGuardrail(treatments: readonly VerifiedTreatment[], side: Side): number | null {
  let last: number | null = null;
  for (const t of treatments) {
    if (t.countermeasure !== 'guardrail' || t.side === (side === 'left' ? 'right' : 'left')) continue;
    const at = Date.parse(t.verifiedAt);
    if (last === null || at > last) last = at;
  }
  return last;
}

const guardedBy = (k: RoadsideKnowledge, side: Side) => k.guarded[side] || k.inventory[side] === 'present';
const bareBy = (k: RoadsideKnowledge, side: Side) => !k.guarded[side] && (k.inventory[side] === 'absent' || k.inventory[side] === 'damaged');

function describe(k: RoadsideKnowledge): string {
  const parts = SIDES.flatMap((side) => {
    if (k.guarded[side]) return [`guardrail verified on the ${side} side`];
    const state = k.inventory[side];
    if (state === 'present' || state === 'absent' || state === 'damaged') return [`guardrail ${state} on the ${side} side (recorded)`];
    return [];
  });
  return parts.join(', ');
}

/**
 * The static score moved by the engine's own rescoring of the roadside (guarded sides protected,
 * bare sides without their mapped guardrail), so that parts of the score the breakdown does not hold stay.
 */
function rescored(staticScore: number, segment: RescorableSegment, guarded: Record<Side, boolean>, bare: Record<Side, boolean>): number {
  const base = exposureWithGuardrail(segment, { left: false, right: false }).score;
  const strip = (side: Side) => (bare[side] ? { ...segment.roadside[side], guardrail: 0 } : segment.roadside[side]);
  const changed = exposureWithGuardrail({ ...segment, roadside: { left: strip('left'), right: strip('right') } }, guarded).score;
  return Math.max(0, Math.round((staticScore + changed - base) * 10) / 10);
}

const bound = (score: number): DesignBound => ({ score, level: exposureLevelOf(score, DEFAULT_SCORE_CONFIG) });

function roadsideGuardrailShare(attributes: Record<string, unknown>): Record<Side, number> {
  const g = (attributes.guardrail ?? {}) as Record<string, unknown>;
  const share = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { left: share(g.left), right: share(g.right) };
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
