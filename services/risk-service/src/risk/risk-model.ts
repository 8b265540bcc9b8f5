/**
 * The risk model lives in the engine library (`@roadloop/geo`, `src/risk-model/`): one module owns
 * the SPF, CMFs, Empirical Bayes, severity split, levels and palette, and ranking, hotspots, fix
 * effectiveness, imports and the map all use it. This file only reads the service's stored rows
 * into the model's inputs.
 */
import {
  RISK_MODEL,
  type Guarded,
  type ReachPiece,
  type RoadAttributes,
  predictSegment,
  roadAttributesFrom,
} from '@roadloop/geo';

export {
  RISK_MODEL,
  assessRisk,
  levelBand,
  levelOf,
  levelRank,
  scoreBands,
  designStars,
  withInventory,
  type Alarm,
  type Crash,
  type CrashEstimate,
  type OpenHazard,
  type RiskAssessment,
  type RiskFactor,
} from '@roadloop/geo';

/** A stored segment as the model reads it. */
export interface StoredRoad {
  lengthM: number;
  roadClass: string;
  attributes: Record<string, unknown>;
}

export const roadOf = (s: StoredRoad): RoadAttributes => roadAttributesFrom(s.roadClass, s.lengthM, s.attributes);

/** A neighbour on the reach: its predicted crashes from its own design and traffic. */
export function reachPieceOf(s: StoredRoad & { id: string }, guarded?: Guarded): ReachPiece {
  return { segmentId: s.id, lengthM: s.lengthM, predictedPerKmYear: predictSegment(roadOf(s), guarded).predictedPerKmYear };
}

/** Crashes older than this window no longer count, in milliseconds back from now. */
export const CRASH_WINDOW_MS = RISK_MODEL.eb.windowYears * 365.25 * 86_400_000;
