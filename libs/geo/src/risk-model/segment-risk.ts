/**
 * A segment's live risk in expected fatal-and-serious crashes per km-year, explained factor by
 * factor: the factors' values multiply to the score.
 *
 *   score = SPF(AADT) × CMF_curve × CMF_grade × CMF_roadside × CMF_bridge/tunnel × C   (predicted crashes / km-yr)
 *         × EB ratio of the reach (expected / predicted crashes)                       (crash history)
 *         × Π CMF of open hazards                                                       (what is wrong today)
 *         × FSI share (road class, roadside)                                            (severity split)
 *
 * Pure: the same inputs always give the same score and the same explanation.
 */
import type { CrashSeverity, HazardCategory, HazardSeverity, ROADSIDE_INVENTORY_STATES } from '@roadloop/contracts';
import { CURVATURE_CLASSES, type CurvatureClass } from '../score/score.config';
import {
  ageInDays,
  assumedAadt,
  crashWeight,
  curveCmf,
  ebExpected,
  ebWeight,
  effectiveYears,
  fsiShare,
  gradeCmf,
  overdispersion,
  roadsideCmf,
  spfCrashesPerKmYear,
} from './formulas';
import { levelOf } from './levels';
import { RISK_MODEL, type Alarm, type RiskLevel, type RoadsideHazardRating } from './risk-model.config';

/** What the model reads of a segment (the engine's attributes, plus a traffic count if a region has one). */
export interface RoadAttributes {
  roadClass: string;
  lengthM: number;
  /** Counted AADT; null: assumed from the road class. */
  aadt: number | null;
  curvatureClass: CurvatureClass | null;
  curvatureRadiusM: number | null;
  gradePct: number | null;
  bridge: boolean;
  tunnel: boolean;
  waterSide: 'left' | 'right' | 'both' | 'crossing' | null;
  waterType: string | null;
  waterDistanceM: number | null;
  waterLeftM: number | null;
  waterRightM: number | null;
  dropLeftM: number | null;
  dropRightM: number | null;
  cliffSide: 'left' | 'right' | 'both' | null;
  guardrail: { left: number; right: number };
  /**
   * What a survey, an import or a crew recorded beside each side (the task service's roadside
   * inventory). A side with no record, or recorded unknown, is read from the map's guardrail share.
   */
  inventory?: RoadsideInventory;
}

export type Side = 'left' | 'right';
export type Guarded = Readonly<Record<Side, boolean>>;
const UNGUARDED: Guarded = { left: false, right: false };

/** A side's guardrail as recorded: present, absent, damaged or unknown. */
export type RoadsideInventoryState = (typeof ROADSIDE_INVENTORY_STATES)[number];
export type RoadsideInventory = Readonly<Partial<Record<Side, RoadsideInventoryState>>>;

/** A road as the model reads it with its recorded roadside inventory (the input is not changed). */
export function withInventory(road: RoadAttributes, inventory: RoadsideInventory): RoadAttributes {
  return { ...road, inventory: { ...road.inventory, ...inventory } };
}

/**
 * Whether a side stands behind a guardrail: a verified fix or a recorded guardrail counts; one
 * recorded absent or damaged does not, whatever the map says; unknown leaves it to the map's share.
 */
export function sideGuarded(road: RoadAttributes, side: Side, guarded: Guarded = UNGUARDED): boolean {
  const state = road.inventory?.[side];
  if (guarded[side] || state === 'present') return true;
  if (state === 'absent' || state === 'damaged') return false;
  return road.guardrail[side] >= RISK_MODEL.cmf.roadside.protectedShare;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const oneOf = <T extends string>(v: unknown, values: readonly T[]): T | null => ((values as readonly unknown[]).includes(v) ? (v as T) : null);

/** The model's view of a stored segment (the engine's properties as a JSON object); unknown values read as absent. */
export function roadAttributesFrom(roadClass: string, lengthM: number, a: Record<string, unknown>): RoadAttributes {
  const g = (a.guardrail ?? {}) as Record<string, unknown>;
  const aadt = num(a.aadt);
  return {
    roadClass,
    lengthM,
    aadt: aadt !== null && aadt >= 0 ? aadt : null,
    curvatureClass: oneOf(a.curvatureClass, CURVATURE_CLASSES),
    curvatureRadiusM: num(a.curvatureRadiusM),
    gradePct: num(a.gradePct),
    bridge: a.bridge === true,
    tunnel: a.tunnel === true,
    waterSide: oneOf(a.waterSide, ['left', 'right', 'both', 'crossing'] as const),
    waterType: typeof a.waterType === 'string' ? a.waterType : null,
    waterDistanceM: num(a.waterDistanceM),
    waterLeftM: num(a.waterLeftM),
    waterRightM: num(a.waterRightM),
    dropLeftM: num(a.dropLeftM),
    dropRightM: num(a.dropRightM),
    cliffSide: oneOf(a.cliffSide, ['left', 'right', 'both'] as const),
    guardrail: { left: Math.min(1, Math.max(0, num(g.left) ?? 0)), right: Math.min(1, Math.max(0, num(g.right) ?? 0)) },
  };
}

/** The roadside hazard rating of one side, with the reason in words. */
export function sideRating(road: RoadAttributes, side: Side, guarded: Guarded = UNGUARDED): { rhr: RoadsideHazardRating; why: string } {
  const r = RISK_MODEL.cmf.roadside;
  if (road.tunnel) return { rhr: 3, why: 'tunnel' };
  const drop = side === 'left' ? road.dropLeftM : road.dropRightM;
  const cliff = road.cliffSide === side || road.cliffSide === 'both';
  const crossing = road.waterSide === 'crossing';
  // Per-side distances when the engine gave them; else the nearest water's distance on its side.
  const onThisSide = road.waterSide === side || road.waterSide === 'both';
  const waterM = crossing ? (road.waterDistanceM ?? 0) : ((side === 'left' ? road.waterLeftM : road.waterRightM) ?? (onThisSide ? road.waterDistanceM : null));
  const deep = road.waterType !== null && r.deepWater.includes(road.waterType);
  const reasons: string[] = [];
  let severe = false;
  let moderate = false;
  if (cliff) {
    severe = true;
    reasons.push('cliff');
  }
  if (drop !== null && drop >= r.moderateDropM) {
    if (drop >= r.severeDropM) severe = true;
    else moderate = true;
    reasons.push(`drop ${Math.round(drop)} m`);
  }
  if (waterM !== null && waterM <= r.waterBesideM) {
    if (deep && waterM <= r.severeWaterM) severe = true;
    else moderate = true;
    reasons.push(`${road.waterType ?? 'water'} ${Math.round(waterM)} m`);
  }
  if (!severe && !moderate) return { rhr: 3, why: 'no severe roadside' };
  const state = road.inventory?.[side];
  const guard = sideGuarded(road, side, guarded) || road.bridge;
  const why = `${side}: ${reasons.join(', ')}`;
  if (guard) {
    const what = guarded[side] ? 'guardrail verified' : state === 'present' ? 'guardrail recorded' : road.bridge ? 'parapet' : 'guardrail';
    return { rhr: 5, why: `${why}, ${what}` };
  }
  const unprotected = state === 'absent' ? 'no guardrail (recorded)' : state === 'damaged' ? 'guardrail damaged (recorded)' : 'unprotected';
  return { rhr: severe ? 7 : 6, why: `${why}, ${unprotected}` };
}

/** The worse side's rating. */
export function roadsideRating(road: RoadAttributes, guarded: Guarded = UNGUARDED): { rhr: RoadsideHazardRating; why: string } {
  const left = sideRating(road, 'left', guarded);
  const right = sideRating(road, 'right', guarded);
  if (left.rhr === right.rhr && left.rhr !== 3) return { rhr: left.rhr, why: `${left.why}; ${right.why}` };
  return left.rhr >= right.rhr ? left : right;
}

/** What the model predicts of a segment from its design and traffic alone, before any crash. */
export interface SegmentPrediction {
  aadt: number;
  aadtSource: 'count' | 'class';
  /** HSM Eq. 10-6, crashes per km-year. */
  spfPerKmYear: number;
  cmf: { curve: number; grade: number; roadside: number; bridge: number; tunnel: number; calibration: number };
  rhr: RoadsideHazardRating;
  rhrWhy: string;
  /** SPF × CMFs × C: crashes per km-year. */
  predictedPerKmYear: number;
  fsiShare: number;
}

export function predictSegment(road: RoadAttributes, guarded: Guarded = UNGUARDED): SegmentPrediction {
  const aadt = road.aadt ?? assumedAadt(road.roadClass);
  const spf = spfCrashesPerKmYear(aadt);
  const { rhr, why } = roadsideRating(road, guarded);
  const cmf = {
    curve: curveCmf(road.curvatureClass),
    grade: gradeCmf(road.gradePct),
    roadside: roadsideCmf(rhr),
    bridge: road.bridge ? RISK_MODEL.cmf.bridge : 1,
    tunnel: road.tunnel ? RISK_MODEL.cmf.tunnel : 1,
    calibration: RISK_MODEL.spf.calibrationFactor,
  };
  const predictedPerKmYear = spf * cmf.curve * cmf.grade * cmf.roadside * cmf.bridge * cmf.tunnel * cmf.calibration;
  return { aadt, aadtSource: road.aadt === null ? 'class' : 'count', spfPerKmYear: spf, cmf, rhr, rhrWhy: why, predictedPerKmYear, fsiShare: fsiShare(road.roadClass, rhr) };
}

export interface RiskFactor {
  factor: string;
  value: number;
  detail?: string;
  /** On a hazard factor: the hazard's category (a typed field, never parsed from the name). */
  hazardCategory?: HazardCategory;
}

export interface OpenHazard {
  id: string;
  category: HazardCategory;
  severity: HazardSeverity;
}

export interface Crash {
  id: string;
  occurredAt: Date;
  severity: CrashSeverity;
}

/** The reach whose crashes inform a segment: the segment and its neighbours on the way. */
export interface ReachPiece {
  segmentId: string;
  lengthM: number;
  predictedPerKmYear: number;
}

export interface CrashEstimate {
  /** Crashes predicted on the reach over the (decay-weighted) window. */
  predicted: number;
  /** Decay-weighted crashes observed on the reach. */
  observed: number;
  /** EB weight on the prediction, w = 1 / (1 + k·N_pred). */
  weight: number;
  /** EB expected crashes of the reach, w·N_pred + (1 − w)·N_obs. */
  expected: number;
  /** Expected over predicted: how far the history moves the segment. */
  ratio: number;
  /** Expected minus predicted crashes (potential for safety improvement, HSM Part B). */
  excess: number;
  reachM: number;
  /** Crashes in the window on the reach, by severity (undecayed). */
  crashes: Record<CrashSeverity, number>;
  /** Fatal-or-serious crashes on the reach within the cluster period (a crash-prone spot at `cluster.minFsiCrashes`). */
  recentFsi: number;
}

export interface RiskInputs {
  road: RoadAttributes;
  /** Sides protected by a verified guardrail task. */
  guarded?: Guarded;
  /** The reach's other segments (the segment itself is added); empty: the segment alone. */
  neighbours?: readonly ReachPiece[];
  /** Crashes on the reach (any segment of it) in the window. */
  crashes: readonly Crash[];
  hazards: readonly OpenHazard[];
  /** A fix on the segment did not hold (its task was reopened as failed and is not verified again). */
  fixFailed?: boolean;
  now: Date;
}

export interface RiskAssessment {
  /** Expected FSI per km-year. */
  score: number;
  level: RiskLevel;
  alarm: Alarm;
  alarmReasons: string[];
  factors: RiskFactor[];
  prediction: SegmentPrediction;
  crashes: CrashEstimate;
  /** Expected FSI a year on the segment itself. */
  fsiPerYear: number;
}

/** The EB estimate over a reach (HSM Part B, Eq. ), decay-weighted consistently on both sides. */
export function estimateReach(pieces: readonly ReachPiece[], crashes: readonly Crash[], now: Date): CrashEstimate {
  const years = effectiveYears();
  const reachM = pieces.reduce((a, p) => a + p.lengthM, 0);
  const predicted = pieces.reduce((a, p) => a + (p.predictedPerKmYear * p.lengthM) / 1000, 0) * years;
  let observed = 0;
  let recentFsi = 0;
  const counts: Record<CrashSeverity, number> = { fatal: 0, serious: 0, slight: 0, pdo: 0 };
  for (const c of crashes) {
    const age = ageInDays(c.occurredAt, now);
    const w = crashWeight(age);
    if (w === 0) continue;
    observed += w;
    counts[c.severity] += 1;
    if ((c.severity === 'fatal' || c.severity === 'serious') && age <= RISK_MODEL.cluster.withinDays) recentFsi += 1;
  }
  const weight = ebWeight(overdispersion(Math.max(reachM, RISK_MODEL.eb.minReachM)), predicted);
  const expected = ebExpected(predicted, observed, weight);
  return { predicted, observed, weight, expected, ratio: predicted > 0 ? expected / predicted : 1, excess: expected - predicted, reachM, crashes: counts, recentFsi };
}

/** Open hazards listed one by one in a segment's explanation; the others are counted by category and severity. */
export const LISTED_HAZARDS = 50;

export function hazardCmf(h: Pick<OpenHazard, 'category' | 'severity'>): number {
  return 1 + RISK_MODEL.hazards.weight[h.category] * RISK_MODEL.hazards.severity[h.severity];
}

const CURVE_WORDS: Record<CurvatureClass, string> = { straight: 'straight', moderate: 'moderate curve', sharp: 'sharp curve', very_sharp: 'very sharp curve' };

export function assessRisk(inputs: RiskInputs): RiskAssessment {
  const { road } = inputs;
  const prediction = predictSegment(road, inputs.guarded);
  const self: ReachPiece = { segmentId: '', lengthM: road.lengthM, predictedPerKmYear: prediction.predictedPerKmYear };
  const estimate = estimateReach([self, ...(inputs.neighbours ?? [])], inputs.crashes, inputs.now);

  const factors: RiskFactor[] = [
    {
      factor: 'traffic',
      value: r4(prediction.spfPerKmYear),
      detail: `${road.roadClass}, AADT ${prediction.aadt} (${prediction.aadtSource === 'count' ? 'counted' : 'assumed for the class'}): base crashes / km·yr (HSM Eq. 10-6)`,
    },
  ];
  const cmf = prediction.cmf;
  if (cmf.curve !== 1) {
    const radius = road.curvatureRadiusM === null ? '' : ` (radius ${Math.round(road.curvatureRadiusM)} m)`;
    factors.push({ factor: 'curve', value: r4(cmf.curve), detail: `${CURVE_WORDS[road.curvatureClass ?? 'straight']}${radius} (HSM Eq. 10-13)` });
  }
  if (cmf.grade !== 1) factors.push({ factor: 'grade', value: r4(cmf.grade), detail: `grade ${Math.abs(road.gradePct ?? 0).toFixed(1)} % (HSM Table 10-11)` });
  if (cmf.roadside !== 1) factors.push({ factor: 'roadside', value: r4(cmf.roadside), detail: `roadside hazard rating ${prediction.rhr}: ${prediction.rhrWhy} (HSM Eq. 10-14)` });
  if (cmf.bridge !== 1) factors.push({ factor: 'bridge', value: cmf.bridge, detail: 'bridge' });
  if (cmf.tunnel !== 1) factors.push({ factor: 'tunnel', value: cmf.tunnel, detail: 'tunnel' });
  if (cmf.calibration !== 1) factors.push({ factor: 'calibration', value: cmf.calibration, detail: 'regional calibration factor C' });
  {
    const c = estimate.crashes;
    const n = c.fatal + c.serious + c.slight + c.pdo;
    const history = n
      ? `${n} crash(es) within ${Math.round(estimate.reachM)} m in ${RISK_MODEL.eb.windowYears} years ` +
        `(${c.fatal} fatal, ${c.serious} serious, ${c.slight} slight, ${c.pdo} damage only): observed ${estimate.observed.toFixed(2)} (decayed)`
      : `no crash within ${Math.round(estimate.reachM)} m in ${RISK_MODEL.eb.windowYears} years`;
    factors.push({
      factor: 'crashes',
      value: r4(estimate.ratio),
      detail: `${history} vs predicted ${estimate.predicted.toFixed(3)}, EB weight ${estimate.weight.toFixed(3)} → expected ${estimate.expected.toFixed(3)} (HSM Part B)`,
    });
  }
  let hazardProduct = 1;
  // Each open hazard is a factor of its own up to LISTED_HAZARDS; the others are counted together by
  // category and severity, so the explanation (and the event carrying it, at most 200 factors) stays
  // bounded however many reports a segment gathers. The product is the same either way.
  const beyond = new Map<string, { category: HazardCategory; severity: HazardSeverity; count: number; value: number }>();
  [...inputs.hazards].sort((a, b) => a.id.localeCompare(b.id)).forEach((h, i) => {
    const value = hazardCmf(h);
    hazardProduct *= value;
    if (i < LISTED_HAZARDS) {
      factors.push({ factor: 'hazard', value: r4(value), detail: `${h.severity} ${h.category.replace(/_/g, ' ')} open (${h.id})`, hazardCategory: h.category });
      return;
    }
    const key = `${h.category}:${h.severity}`;
    const group = beyond.get(key) ?? { category: h.category, severity: h.severity, count: 0, value: 1 };
    group.count++;
    group.value *= value;
    beyond.set(key, group);
  });
  for (const g of [...beyond.values()].sort((a, b) => a.category.localeCompare(b.category) || a.severity.localeCompare(b.severity))) {
    factors.push({ factor: 'hazard', value: r4(g.value), detail: `${g.count} more ${g.severity} ${g.category.replace(/_/g, ' ')} open`, hazardCategory: g.category });
  }
  const hazardFactor = Math.min(RISK_MODEL.hazards.maxCombined, hazardProduct);
  if (hazardFactor < hazardProduct) {
    factors.push({ factor: 'hazardCap', value: r4(hazardFactor / hazardProduct), detail: `open hazards together count at most ×${RISK_MODEL.hazards.maxCombined}` });
  }
  factors.push({ factor: 'severity', value: r4(prediction.fsiShare), detail: `fatal-and-serious share: ${road.roadClass}, roadside hazard rating ${prediction.rhr} (HSM Table 10-3)` });

  let rate = prediction.predictedPerKmYear * estimate.ratio * hazardFactor * prediction.fsiShare;
  const cluster = estimate.recentFsi >= RISK_MODEL.cluster.minFsiCrashes;
  const floor = RISK_MODEL.levelThresholds[RISK_MODEL.levelThresholds.length - 1];
  if (cluster && rate < floor) {
    factors.push({
      factor: 'cluster',
      value: r4(floor / Math.max(rate, 1e-9)),
      detail: `${estimate.recentFsi} fatal-or-serious crashes within ${Math.round(estimate.reachM)} m in ${RISK_MODEL.cluster.withinDays} days: a crash-prone spot, at least the top level`,
    });
    rate = floor;
  }
  const score = r6(rate);
  const level = levelOf(score);
  const { alarm, reasons } = alarmOf(estimate, inputs.hazards, inputs.fixFailed ?? false);
  return {
    score,
    level,
    alarm,
    alarmReasons: reasons,
    factors,
    prediction,
    crashes: roundEstimate(estimate),
    fsiPerYear: r6((rate * road.lengthM) / 1000),
  };
}

/** The three-colour alarm from live signals only (never from the road's design alone). */
export function alarmOf(estimate: CrashEstimate, hazards: readonly Pick<OpenHazard, 'severity' | 'category'>[], fixFailed: boolean): { alarm: Alarm; reasons: string[] } {
  const a = RISK_MODEL.alarm;
  const red: string[] = [];
  const yellow: string[] = [];
  for (const h of hazards) {
    if (h.severity === 'critical') red.push(`critical ${h.category.replace(/_/g, ' ')} open`);
    else if (h.severity === 'high') yellow.push(`high ${h.category.replace(/_/g, ' ')} open`);
  }
  if (fixFailed) red.push('a fix did not hold');
  if (estimate.recentFsi >= RISK_MODEL.cluster.minFsiCrashes) red.push(`${estimate.recentFsi} fatal-or-serious crashes within ${RISK_MODEL.cluster.withinDays} days`);
  const excess = `crashes ${estimate.ratio.toFixed(2)}× the prediction`;
  const c = estimate.crashes;
  const crashes = c.fatal + c.serious + c.slight + c.pdo;
  if (estimate.ratio >= a.redExcessRatio && crashes >= a.redMinCrashes) red.push(excess);
  else if (estimate.ratio >= a.yellowExcessRatio && crashes >= a.yellowMinCrashes) yellow.push(excess);
  if (red.length) return { alarm: 'red', reasons: [...red, ...yellow] };
  if (yellow.length) return { alarm: 'yellow', reasons: yellow };
  return { alarm: 'green', reasons: [] };
}

function roundEstimate(e: CrashEstimate): CrashEstimate {
  return { ...e, predicted: r6(e.predicted), observed: r6(e.observed), weight: r6(e.weight), expected: r6(e.expected), ratio: r6(e.ratio), excess: r6(e.excess), reachM: Math.round(e.reachM * 10) / 10 };
}

const r4 = (x: number) => Number(x.toPrecision(4));
const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
