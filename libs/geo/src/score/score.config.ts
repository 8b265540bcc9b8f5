/**
 * Every weight and threshold of the exposure score, in one versioned object. Change a value →
 * change `version`, so a stored score can always be traced to the numbers that produced it.
 * Sources are cited next to each value; "(Roadloop default, check)" marks a value chosen for this
 * engine rather than taken from a standard. The README explains the model.
 */
import { z } from 'zod';
import { GeoError } from '../geo.exception';
import { DEFAULT_ROAD_CLASSES } from '../osm/way-classifier';
import { WATER_TYPES, type WaterType } from '../osm/network.types';
import { RISK_LEVELS, RISK_PALETTE } from '../risk-model/risk-model.config';
import { WATER_SIDE_MAX_M } from '../water-side';

export const SCORE_CONFIG_VERSION = '1.1.0';

export const CURVATURE_CLASSES = ['straight', 'moderate', 'sharp', 'very_sharp'] as const;
export type CurvatureClass = (typeof CURVATURE_CLASSES)[number];

export const GRADE_CLASSES = ['gentle', 'steep', 'very_steep'] as const;
export type GradeClass = (typeof GRADE_CLASSES)[number];

/** The design rating's five levels: the risk model's levels and palette, on the exposure score. */
export const EXPOSURE_LEVELS = RISK_LEVELS;
export type ExposureLevel = (typeof EXPOSURE_LEVELS)[number];

const positive = z.number().positive();
const nonNegative = z.number().min(0);
const share = z.number().min(0).max(1);

const levelSchema = z.strictObject({
  level: z.enum(EXPOSURE_LEVELS),
  /** Lowest score of the band (inclusive). */
  fromScore: nonNegative,
  colour: z.string().min(1),
  hex: z.string().regex(/^#[0-9a-fA-F]{6}$/),
});

export const scoreConfigSchema = z
  .strictObject({
    version: z.string().min(1),
    segmentation: z.strictObject({ maxSegmentM: positive }),
    roads: z.strictObject({
      classes: z.array(z.string().min(1)).min(1),
      /** Operating speed assumed when a way has no usable maxspeed, km/h, by highway class. */
      defaultSpeedKmh: z.record(z.string(), positive),
      fallbackSpeedKmh: positive,
    }),
    roadside: z.strictObject({
      /** Spacing of the roadside stations sampled along each segment, m. */
      stationStepM: positive,
      /** Severity points per side for an open verge with no hazard (keeps curves and speed meaningful). */
      baseSeverityPerSide: nonNegative,
    }),
    water: z.strictObject({
      /** waterDistanceM is null beyond this distance, m. */
      searchRadiusM: positive,
      /** A segment is "water-side" when water lies within this distance of its centre line, m (default WATER_SIDE_MAX_M). */
      besideMaxM: positive,
      /** Full water severity up to this lateral distance, m … */
      fullEffectM: nonNegative,
      /** … fading linearly to none at this distance, m. */
      noEffectM: positive,
      /** Severity points per side by water type (deep, wide water worst). */
      severity: z.strictObject(Object.fromEntries(WATER_TYPES.map((t) => [t, nonNegative])) as Record<WaterType, typeof nonNegative>),
    }),
    drop: z.strictObject({
      /** Lateral distances sampled on each side, m. */
      offsetsM: z.array(positive).min(1),
      /** Drops below this add nothing, m … */
      minDropM: nonNegative,
      /** … rising linearly to full severity at this drop, m. */
      fullDropM: positive,
      /** A side with a drop of at least this many metres is a cliff side, m. */
      cliffDropM: positive,
      severity: nonNegative,
    }),
    cliff: z.strictObject({
      /** Mapped natural=cliff below the road: full severity up to this distance, m … */
      fullEffectM: nonNegative,
      /** … none beyond this distance, m. */
      noEffectM: positive,
      severity: nonNegative,
    }),
    guardrail: z.strictObject({
      /** A guardrail protects a side when it lies within this lateral distance, m. */
      maxDistanceM: positive,
      /** Share of the roadside severity a guardrail removes (0..1). */
      effectiveness: share,
      /** Score bridges as if parapets protected both sides (nearly all bridges have them). */
      bridgesHaveParapets: z.boolean(),
    }),
    curvature: z.strictObject({
      /** Chord half-lengths tried around each vertex, m (smallest radius wins). */
      baseLengthsM: z.array(positive).min(1),
      /** A radius counts only where the middle point is this far off the chord, m (digitising noise). */
      minSagittaM: positive,
      /** A vertex must turn at least this share of the turn its circle implies (0..1). */
      minTurnShare: share,
      /** Radius below which each class starts, m; and run-off multipliers. */
      classes: z.strictObject({
        moderate: z.strictObject({ belowRadiusM: positive, multiplier: positive }),
        sharp: z.strictObject({ belowRadiusM: positive, multiplier: positive }),
        very_sharp: z.strictObject({ belowRadiusM: positive, multiplier: positive }),
        straight: z.strictObject({ multiplier: positive }),
      }),
    }),
    grade: z.strictObject({
      /** Grade is the least-squares slope of the terrain over at least this length, m. */
      windowM: positive,
      sampleStepM: positive,
      /**
       * A terrain grade steeper than this is not a road's, it is the grid misplacing the road (a
       * road in a gorge narrower than a cell): reported as unknown, %.
       */
      maxPlausiblePct: positive,
      classes: z.strictObject({
        gentle: z.strictObject({ multiplier: positive }),
        steep: z.strictObject({ fromPct: positive, multiplier: positive }),
        very_steep: z.strictObject({ fromPct: positive, multiplier: positive }),
      }),
    }),
    speed: z.strictObject({
      referenceKmh: positive,
      /** Power-model exponent: multiplier = (v / reference)^exponent. */
      exponent: nonNegative,
      minMultiplier: positive,
      maxMultiplier: positive,
    }),
    levels: z.array(levelSchema).length(EXPOSURE_LEVELS.length),
  })
  .superRefine((c, ctx) => {
    const fail = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: path.split('.'), message });
    if (c.water.fullEffectM >= c.water.noEffectM) fail('water.fullEffectM', 'must be below water.noEffectM');
    if (c.cliff.fullEffectM >= c.cliff.noEffectM) fail('cliff.fullEffectM', 'must be below cliff.noEffectM');
    if (c.drop.minDropM >= c.drop.fullDropM) fail('drop.minDropM', 'must be below drop.fullDropM');
    const cc = c.curvature.classes;
    if (!(cc.very_sharp.belowRadiusM < cc.sharp.belowRadiusM && cc.sharp.belowRadiusM < cc.moderate.belowRadiusM)) {
      fail('curvature.classes', 'radii must grow: very_sharp < sharp < moderate');
    }
    if (!(c.grade.classes.steep.fromPct < c.grade.classes.very_steep.fromPct)) fail('grade.classes', 'steep.fromPct must be below very_steep.fromPct');
    if (c.speed.minMultiplier > c.speed.maxMultiplier) fail('speed.minMultiplier', 'must not exceed speed.maxMultiplier');
    c.levels.forEach((l, i) => {
      if (l.level !== EXPOSURE_LEVELS[i]) fail(`levels.${i}.level`, `must be ${EXPOSURE_LEVELS[i]}`);
      if (i === 0 && l.fromScore !== 0) fail('levels.0.fromScore', 'must be 0');
      if (i > 0 && !(l.fromScore > c.levels[i - 1].fromScore)) fail(`levels.${i}.fromScore`, 'must grow from level to level');
    });
  });

export type ScoreConfig = z.infer<typeof scoreConfigSchema>;

export const DEFAULT_SCORE_CONFIG: ScoreConfig = deepFreeze({
  version: SCORE_CONFIG_VERSION,
  // iRAP codes roads in 100 m segments (iRAP Star Rating coding manual).
  segmentation: { maxSegmentM: 100 },
  roads: {
    classes: [...DEFAULT_ROAD_CLASSES],
    // Operating speeds on mountain roads without a maxspeed tag, km/h (Roadloop default, check).
    defaultSpeedKmh: {
      motorway: 100,
      motorway_link: 60,
      trunk: 80,
      trunk_link: 50,
      primary: 70,
      primary_link: 50,
      secondary: 60,
      secondary_link: 40,
      tertiary: 50,
      tertiary_link: 40,
      unclassified: 40,
      residential: 30,
      track: 20,
      service: 20,
    },
    fallbackSpeedKmh: 40,
  },
  roadside: { stationStepM: 5, baseSeverityPerSide: 1 },
  water: {
    searchRadiusM: 500,
    besideMaxM: WATER_SIDE_MAX_M,
    // A river line is its centre: a 10–20 m river plus a 6 m road puts the bank at the verge
    // within ~10 m of both centre lines (Roadloop default, check).
    fullEffectM: 10,
    noEffectM: 30,
    // Deep water is the severe roadside object (iRAP coding: water beside the road); small
    // channels are ditches (iRAP roadside object "deep drainage ditch") (Roadloop weights, check).
    // The sea is deep water at the verge, as a lake (iRAP coding: water beside the road).
    severity: { river: 10, riverbank: 10, lake: 10, reservoir: 10, sea: 10, canal: 8, stream: 5, drain: 3, ditch: 3 },
  },
  drop: {
    offsetsM: [10, 20, 30, 40, 50],
    // Drops over ≤ 50 m: 10 m ≈ 1V:5H, 25 m ≈ 1V:2H. Slopes of 1V:3H or steeper are
    // non-recoverable (AASHTO Roadside Design Guide, ch. 3) (Roadloop thresholds, check).
    minDropM: 10,
    fullDropM: 25,
    cliffDropM: 25,
    // iRAP codes "cliff" and "downward slope" as the severe roadside objects.
    severity: 10,
  },
  cliff: { fullEffectM: 10, noEffectM: 25, severity: 10 },
  guardrail: {
    maxDistanceM: 6,
    // A barrier turns a severe roadside object into a much less severe one (iRAP roadside
    // severity for "safety barrier" vs "cliff"/"water") (Roadloop default, check).
    effectiveness: 0.7,
    bridgesHaveParapets: true,
  },
  curvature: {
    baseLengthsM: [10, 20, 40, 80],
    minSagittaM: 1,
    minTurnShare: 0.25,
    // iRAP run-off risk factors for vehicle occupants: straight or gently curving 1.0,
    // moderate 1.8, sharp 3.5, very sharp 6.0. The radius bands are Roadloop's (iRAP codes by
    // observation); 50 m is near the JTG sharp-curve warning radius for 30 km/h (45 m) (check).
    classes: {
      moderate: { belowRadiusM: 400, multiplier: 1.8 },
      sharp: { belowRadiusM: 150, multiplier: 3.5 },
      very_sharp: { belowRadiusM: 50, multiplier: 6 },
      straight: { multiplier: 1 },
    },
  },
  grade: {
    windowM: 100,
    sampleStepM: 10,
    // Public roads rarely exceed 20–25 %, tracks ~30 % (Roadloop default, check).
    maxPlausiblePct: 30,
    // iRAP grade bands < 7.5 %, 7.5–< 10 %, ≥ 10 %; multipliers are Roadloop defaults (check).
    classes: {
      gentle: { multiplier: 1 },
      steep: { fromPct: 7.5, multiplier: 1.2 },
      very_steep: { fromPct: 10, multiplier: 1.5 },
    },
  },
  // Nilsson's power model: injury crashes scale with (v1/v0)^2 (Nilsson 2004; Elvik 2009).
  speed: { referenceKmh: 50, exponent: 2, minMultiplier: 0.5, maxMultiplier: 3 },
  // Five-colour risk map (Lishui practice: red / orange / yellow / blue / green). Bands set so that
  // an open, straight, flat road at 50 km/h (2 points) is very low and water or a cliff drop beside a
  // sharp curve is very high (Roadloop default, check).
  levels: (
    [
      ['very_low', 0],
      ['low', 5],
      ['medium', 10],
      ['high', 20],
      ['very_high', 40],
    ] as const
  ).map(([level, fromScore]) => ({ level, fromScore, colour: RISK_PALETTE[level].colour, hex: RISK_PALETTE[level].hex })),
} satisfies ScoreConfig);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeDeep(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeDeep(base[k], v);
  return out;
}

/**
 * Builds a configuration from a partial override (e.g. the `--config` JSON) on top of the
 * defaults, and validates it. An override without its own `version` gets `<default>+custom`, so a
 * customised score is never mistaken for a default one. Arrays are replaced, not merged.
 */
export function resolveScoreConfig(override?: unknown, base: ScoreConfig = DEFAULT_SCORE_CONFIG): ScoreConfig {
  if (override !== undefined && !isPlainObject(override)) throw new GeoError('CONFIG_INVALID', 'score configuration must be a JSON object');
  let merged = mergeDeep(base, override ?? {}) as Record<string, unknown>;
  if (override !== undefined && Object.keys(override).length > 0 && override.version === undefined) {
    merged = { ...merged, version: `${base.version}+custom` };
  }
  const parsed = scoreConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new GeoError('CONFIG_INVALID', `invalid score configuration: ${issues}`);
  }
  return deepFreeze(parsed.data);
}
