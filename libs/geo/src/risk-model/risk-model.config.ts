/**
 * Roadloop's risk model: every constant, with its source, in one versioned object. Change a value →
 * change `version`; the risk service re-scores every segment whose stored version differs.
 *
 * The unit of risk is the expected number of fatal-and-serious-injury crashes (FSI) per km per year:
 *
 *   predicted crashes / km-year = SPF(AADT) × Π CMF(road attributes) × C          (HSM Part C, Eq. 10-2)
 *   expected crashes            = EB blend of predicted and observed counts        (HSM Part B, Eq. A-5)
 *   expected FSI / km-year      = expected / km-year × Π CMF(open hazards) × FSI share (HSM Table 10-3)
 *
 * Sources: "HSM" is the AASHTO Highway Safety Manual, 1st ed. (2010), chapter 10 (rural two-lane
 * roads) and Part B; "Roadloop default — calibrate" marks a value chosen for this product that a
 * region should replace with its own.
 */
import { RISK_LEVELS, type CrashSeverity, type HazardCategory, type HazardSeverity, type RiskLevel } from '@roadloop/contracts';
import { WATER_SIDE_MAX_M } from '../water-side';

export { RISK_LEVELS, type RiskLevel };

export const RISK_MODEL_VERSION = '2.0.0';

/** What a level means, for people: the unit every score and threshold is in. */
export const RISK_UNIT = {
  id: 'fsi_per_km_year',
  short: 'FSI / km·yr',
  long: 'expected fatal and serious crashes per km per year',
} as const;

export type Alarm = 'red' | 'yellow' | 'green';

/** Roadside hazard rating classes of the HSM (1 best … 7 worst) that Roadloop tells apart. */
export type RoadsideHazardRating = 3 | 5 | 6 | 7;

export const RISK_MODEL = {
  version: RISK_MODEL_VERSION,
  unit: RISK_UNIT,

  /**
   * Traffic, the SPF's exposure. Rural roads seldom have counts, so each road class stands for a
   * volume (vehicles a day) — Roadloop defaults for a mountain county, calibrate: a region replaces
   * them with counts where it has them (`risk-service import --aadt counts.csv`).
   */
  aadtByClass: {
    motorway: 20_000,
    motorway_link: 4_000,
    trunk: 10_000,
    trunk_link: 3_000,
    primary: 5_000,
    primary_link: 1_500,
    secondary: 2_000,
    secondary_link: 800,
    tertiary: 800,
    tertiary_link: 400,
    unclassified: 300,
    residential: 200,
    service: 50,
    track: 20,
  } as Readonly<Record<string, number>>,
  /** A road class missing from the table (Roadloop default — calibrate). */
  fallbackAadt: 100,

  spf: {
    /** HSM Eq. 10-6: N_spf = AADT × L[mi] × 365 × 10⁻⁶ × e^(−0.312) crashes a year (rural two-lane segment). */
    perMileYearPerAadt: 365e-6 * Math.exp(-0.312),
    /** HSM Eq. 10-7: overdispersion k = 0.236 / L[mi]. */
    overdispersionMiles: 0.236,
    /**
     * Calibration factor C (HSM Part C, Appendix A): observed over predicted crashes of the region.
     * 1 until a region measures its own (`risk-service predictions` prints the ratio).
     */
    calibrationFactor: 1,
  },

  cmf: {
    /**
     * Horizontal curve, HSM Eq. 10-13: (1.55·Lc + 80.2/R − 0.012·S) / (1.55·Lc), Lc in miles, R in
     * feet, S = 1 with spiral transitions (OSM does not tell: 0). Evaluated per engine curvature
     * class at the geometric mean of the class's radius band, over iRAP's 100 m coding length; the
     * HSM floor R ≥ 100 ft bounds the very sharp class.
     */
    curve: {
      lengthM: 100,
      representativeRadiusM: { moderate: Math.sqrt(150 * 400), sharp: Math.sqrt(50 * 150), very_sharp: Math.sqrt(30.48 * 50) },
    },
    /** HSM Table 10-11: level ≤ 3 % 1.00, moderate 3–6 % 1.10, steep > 6 % 1.16 (unknown grade: 1.00). */
    grade: [
      { upToPct: 3, cmf: 1.0 },
      { upToPct: 6, cmf: 1.1 },
      { upToPct: Infinity, cmf: 1.16 },
    ],
    /**
     * Roadside, HSM Eq. 10-14: e^(−0.6869 + 0.0668·RHR) / e^(−0.4865), RHR the roadside hazard
     * rating 1–7, of the worse side. Roadloop's reading of the engine's attributes (HSM Appendix 13A
     * wording): 7 a cliff, a drop ≥ 25 m or deep water within 10 m, unprotected; 6 a drop ≥ 10 m or
     * water within 30 m, unprotected; 5 either of those behind a guardrail or parapet; else 3 (base).
     */
    roadside: {
      severeDropM: 25,
      moderateDropM: 10,
      severeWaterM: 10,
      waterBesideM: WATER_SIDE_MAX_M,
      deepWater: ['river', 'riverbank', 'lake', 'reservoir', 'sea', 'canal'] as readonly string[],
      /** A side counts as protected from this share of guardrail (the task rule's threshold). */
      protectedShare: 0.5,
    },
    /** Bridges narrow the road and put parapet ends at the verge (Roadloop default — calibrate). */
    bridge: 1.1,
    /**
     * Tunnels have fewer injury crashes per vehicle-km than open road (Amundsen & Ranes, Tunnelling
     * and Underground Space Technology 15(1), 2000) (Roadloop default — calibrate).
     */
    tunnel: 0.8,
  },

  eb: {
    /**
     * Crashes are pooled over a reach: the segment and its neighbours on the same way, about 300 m
     * (HSM: segments shorter than 0.1 mi say little; China's crash-prone section screening uses
     * reaches of hundreds of metres). k is taken over at least this length (Roadloop default).
     */
    minReachM: 300,
    /** Crashes older than this are ignored, in years (HSM: 3–5 years of history). */
    windowYears: 3,
    /**
     * A crash's weight halves every this many days, and the prediction is weighted the same way
     * (its effective years), so the EB stays unbiased while recent crashes say more about the road
     * now (Roadloop default).
     */
    halfLifeDays: 365,
  },

  severity: {
    /**
     * Fatal-and-serious share of all crashes by road class: HSM Table 10-3 for rural two-lane roads,
     * K 1.3 % + A 5.4 % = 6.7 %; lower on slower classes and divided motorways (Roadloop default —
     * calibrate).
     */
    fsiShareByClass: {
      motorway: 0.04,
      motorway_link: 0.04,
      trunk: 0.067,
      trunk_link: 0.05,
      primary: 0.067,
      primary_link: 0.05,
      secondary: 0.067,
      secondary_link: 0.05,
      tertiary: 0.067,
      tertiary_link: 0.05,
      unclassified: 0.06,
      residential: 0.04,
      service: 0.03,
      track: 0.04,
    } as Readonly<Record<string, number>>,
    fallbackShare: 0.05,
    /**
     * Leaving the road is deadlier beside cliffs, drops and water (iRAP: they are the severe roadside
     * objects); multiplier by the worse side's roadside hazard rating (Roadloop default — calibrate).
     */
    roadsideMultiplier: { 3: 1, 5: 1.15, 6: 1.4, 7: 1.8 } satisfies Record<RoadsideHazardRating, number>,
    maxShare: 0.25,
  },

  hazards: {
    /**
     * An open hazard multiplies the expected crashes while it lasts: CMF = 1 + weight × severity
     * (Roadloop default — calibrate); a critical rockfall doubles them and more.
     */
    weight: {
      rockfall: 0.3,
      landslide: 0.35,
      missing_guardrail: 0.25,
      damaged_guardrail: 0.2,
      flooded_road: 0.3,
      pothole: 0.05,
      sight_obstruction: 0.15,
      missing_sign: 0.1,
      ice: 0.25,
      debris: 0.1,
      other: 0.05,
    } satisfies Record<HazardCategory, number>,
    severity: { low: 0.5, medium: 1, high: 2, critical: 4 } satisfies Record<HazardSeverity, number>,
    /** The product of a segment's hazard CMFs is capped here. */
    maxCombined: 4,
  },

  /**
   * Equivalent-property-damage-only weights (HSM Part B): a crash's cost over a PDO crash's. The
   * HSM's example is about 542 / 11 / 1; local practice uses smaller weights so one fatal crash does
   * not swamp every other signal (Roadloop defaults). Used to order hotspots of equal excess.
   */
  epdo: {
    weights: { fatal: 12, serious: 6, slight: 3, pdo: 1 } satisfies Record<CrashSeverity, number>,
    /**
     * EPDO of an average predicted crash, from HSM Table 10-3's split (K 1.3 %, A 5.4 %, B+C 25.4 %,
     * PDO 67.9 %): 0.013 × 12 + 0.054 × 6 + 0.254 × 3 + 0.679 × 1 = 1.921.
     */
    meanPerPredictedCrash: 1.921,
  },

  /**
   * Lower bounds of low … very_high, in expected FSI per km-year. Five bands as on iRAP risk maps;
   * calibrated on the Andorra sample after the demo history (docs/risk-levels.md): at most 5 % of
   * the length at the top level and 15 % in the top two. Adjacent bounds are at least 2.5 apart so one
   * crash (which multiplies the EB expectation by at most 1 + k ≈ 2.27 over a 300 m reach: the ratio
   * after / before is 1 + k·N_pred·(1 − w)/(w·N_pred) = 1 + k) moves a segment at most one level.
   */
  levelThresholds: [0.02, 0.06, 0.16, 0.4] as readonly number[],

  /**
   * A crash-prone spot: this many fatal-or-serious crashes on one reach within this many days put
   * it at least at the top level's lower bound, whatever its traffic — the way police list crash
   * clusters (事故多发点段) for treatment rather than wait for a model to agree (Roadloop default —
   * calibrate). One crash never does (the EB bounds it to one level).
   */
  cluster: { minFsiCrashes: 3, withinDays: 365 },

  /**
   * The three-colour alarm: what changed, not what the road is. Red: a critical hazard open, a fix
   * that did not hold, or crashes well above the prediction; yellow: a high hazard open or crashes
   * above it (Roadloop default — calibrate).
   */
  alarm: {
    /** EB expected over predicted crashes at and above which crashes raise the alarm … */
    yellowExcessRatio: 1.25,
    redExcessRatio: 2,
    /** … when at least this many crashes were observed on the reach in the window. */
    yellowMinCrashes: 1,
    redMinCrashes: 2,
  },
} as const;

/** One palette for live levels and design ratings (Lishui's five-colour map: green, blue, yellow, orange, red). */
export const RISK_PALETTE: Readonly<Record<RiskLevel, { colour: string; hex: string; label: string }>> = {
  very_low: { colour: 'green', hex: '#1e8e3e', label: 'Very low' },
  low: { colour: 'blue', hex: '#1f5fbf', label: 'Low' },
  medium: { colour: 'yellow', hex: '#e8c500', label: 'Medium' },
  high: { colour: 'orange', hex: '#f07d00', label: 'High' },
  very_high: { colour: 'red', hex: '#d11f1f', label: 'Very high' },
};

export const ALARM_PALETTE: Readonly<Record<Alarm, string>> = { green: '#1e8e3e', yellow: '#e8c500', red: '#d11f1f' };
