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

/** Some of a model's parameters, with numbers as numbers (the model object is a literal `as const`). */
type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends number ? number : T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** A candidate risk model: the live one with some parameters changed, under a version of its own. */
export interface RiskModelVariant {
  description: string;
  /** Parameters that differ from the live model (the crash window stays: `CRASH_WINDOW_MS` is read once). */
  overrides: DeepPartial<Omit<typeof RISK_MODEL, 'version' | 'unit' | 'eb'>> & { eb?: { minReachM?: number; halfLifeDays?: number } };
}

/**
 * Models to compare with the live one on the same history (`risk-service rebuild --model <version>`
 * into a scratch schema, then `risk-service compare`). The live service never uses them.
 */
export const RISK_MODEL_VARIANTS: Readonly<Record<string, RiskModelVariant>> = {
  '2.0.0-recent-crashes': {
    description: 'recent crashes weigh more: a crash weight halves every 180 days instead of 365',
    overrides: { eb: { halfLifeDays: 180 } },
  },
  '2.0.0-hazard-heavy': {
    description: 'open hazards count more: each hazard CMF weight ×1.5 and their product capped at ×6',
    overrides: {
      hazards: {
        weight: Object.fromEntries(Object.entries(RISK_MODEL.hazards.weight).map(([c, w]) => [c, w * 1.5])),
        maxCombined: 6,
      },
    },
  },
};

/**
 * Makes this process score with another model: the live model (its own version: nothing to do) or
 * a variant, whose parameters are written over the model object every formula reads. For a process
 * of its own (the rebuild command), chosen before it scores anything; irreversible.
 */
export function selectRiskModel(version: string): void {
  if (version === RISK_MODEL.version) return;
  const variant = RISK_MODEL_VARIANTS[version];
  if (!variant) {
    throw new Error(`unknown risk model ${version}; known: ${[RISK_MODEL.version, ...Object.keys(RISK_MODEL_VARIANTS)].join(', ')}`);
  }
  if (RISK_MODEL.version !== RISK_MODEL_VERSION_LIVE) throw new Error(`this process already scores with risk model ${RISK_MODEL.version}`);
  overwrite(RISK_MODEL as unknown as Record<string, unknown>, variant.overrides as Record<string, unknown>);
  (RISK_MODEL as { version: string }).version = version;
}

const RISK_MODEL_VERSION_LIVE = RISK_MODEL.version;

function overwrite(target: Record<string, unknown>, changes: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(changes)) {
    const current = target[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object') {
      overwrite(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      target[key] = value;
    }
  }
}
