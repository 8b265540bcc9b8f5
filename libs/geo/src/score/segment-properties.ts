/**
 * A segment's output: its measured attributes (SegmentMeasures) rounded and named as the GeoJSON
 * properties, and the feature that carries them.
 */
import type { Feature, LineString } from 'geojson';
import type { CliffResult } from '../attributes/cliff.attribute';
import type { DropResult } from '../attributes/drop.attribute';
import type { GuardrailResult } from '../attributes/guardrail.attribute';
import type { WaterResult, WaterSide } from '../attributes/water.attribute';
import type { WaterType } from '../osm/network.types';
import type { RoadSegment } from '../segment/segment-way';
import type { Exposure, ExposureFactors, SideSeverity } from './exposure-score';
import type { CurvatureClass, ExposureLevel, GradeClass, ScoreConfig } from './score.config';
import type { Speed } from './speed';

export type CliffSide = 'left' | 'right' | 'both';

/** Properties of one scored segment in the output GeoJSON. */
export interface SegmentProperties {
  id: string;
  osmWayId: number;
  index: number;
  lengthM: number;
  roadClass: string;
  name: string | null;
  ref: string | null;
  speedKmh: number;
  speedSource: 'maxspeed' | 'default';
  /** Road surface elevation at the segment's middle, m (terrain, or a bridge/tunnel's straight grade). */
  elevationM: number | null;
  bridge: boolean;
  tunnel: boolean;
  waterDistanceM: number | null;
  waterSide: WaterSide | null;
  waterType: WaterType | null;
  /** Name of the nearest water feature, when mapped. */
  waterName: string | null;
  waterLeftM: number | null;
  waterRightM: number | null;
  dropLeftM: number | null;
  dropRightM: number | null;
  cliffSide: CliffSide | null;
  cliffMapped: boolean;
  /** null: no measurable curve (straight). */
  curvatureRadiusM: number | null;
  curvatureClass: CurvatureClass;
  /** Positive uphill in the way's direction; null when the terrain is unknown. */
  gradePct: number | null;
  gradeClass: GradeClass | null;
  guardrail: { left: number; right: number };
  exposureScore: number;
  exposureLevel: ExposureLevel;
  exposureColour: string;
  factors: ExposureFactors;
  /**
   * Mean roadside points per side behind the factors (water, drop-off, cliff, guardrail), so that a
   * countermeasure verified later can be scored without the source data (see exposureWithGuardrail).
   */
  roadside: { left: SideSeverity; right: SideSeverity };
  /** Factors that could not be assessed (unknown terrain), scored as if absent. */
  unknown: ('dropOff' | 'grade')[];
}

export type ScoredSegment = Feature<LineString, SegmentProperties>;

/** Everything measured on one segment, before rounding. */
export interface SegmentMeasures {
  readonly bridge: boolean;
  readonly tunnel: boolean;
  /** Road surface at the segment's middle, m (NaN: unknown there); null without an elevation model. */
  readonly elevationM: number | null;
  readonly water: WaterResult;
  readonly drop: DropResult;
  /** null in a tunnel (no roadside there). */
  readonly cliff: CliffResult | null;
  readonly guardrail: GuardrailResult;
  /** Smallest curve radius, m (INF: no measurable curve). */
  readonly curvatureRadiusM: number;
  readonly curvatureClass: CurvatureClass;
  /** null when unknown (no elevation model, or no plausible grade). */
  readonly gradePct: number | null;
  readonly gradeClass: GradeClass | null;
  readonly speed: Speed;
}

export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);
const roundOrNull = (x: number | null, digits: number) => (x === null ? null : round(x, digits));

const roundSide = (s: SideSeverity): SideSeverity => ({
  water: round(s.water, 4),
  dropOff: round(s.dropOff, 4),
  cliff: round(s.cliff, 4),
  guardrail: round(s.guardrail, 4),
});

function sides(left: boolean, right: boolean): CliffSide | null {
  return left && right ? 'both' : left ? 'left' : right ? 'right' : null;
}

/** Sides with a drop of at least `cliffDropM` (rounded drops, as reported) or a mapped cliff below the road; none in a tunnel. */
export function cliffSideOf(
  dropLeftM: number | null,
  dropRightM: number | null,
  cliff: Pick<CliffResult, 'left' | 'right'> | null,
  tunnel: boolean,
  cliffDropM: number,
): CliffSide | null {
  if (tunnel) return null;
  return sides(
    (dropLeftM !== null && dropLeftM >= cliffDropM) || (cliff?.left ?? false),
    (dropRightM !== null && dropRightM >= cliffDropM) || (cliff?.right ?? false),
  );
}

/** The output properties of a segment: its measures rounded, its roadside and its exposure. */
export function segmentProperties(
  seg: RoadSegment,
  m: SegmentMeasures,
  roadside: { left: SideSeverity; right: SideSeverity },
  exposure: Exposure,
  config: ScoreConfig,
): SegmentProperties {
  const { way } = seg.run;
  const { water, cliff, guardrail } = m;
  const dropLeftM = roundOrNull(m.drop.leftM, 1);
  const dropRightM = roundOrNull(m.drop.rightM, 1);
  const unknown: SegmentProperties['unknown'] = [];
  if (dropLeftM === null || dropRightM === null) unknown.push('dropOff');
  if (m.gradePct === null) unknown.push('grade');
  return {
    id: seg.id,
    osmWayId: seg.wayId,
    index: seg.index,
    lengthM: round(seg.lengthM, 2),
    roadClass: way.roadClass,
    name: way.tags.name ?? null,
    ref: way.tags.ref ?? null,
    speedKmh: round(m.speed.kmh, 1),
    speedSource: m.speed.source,
    elevationM: m.elevationM === null ? null : roundOrNull(finiteOrNull(m.elevationM), 0),
    bridge: m.bridge,
    tunnel: m.tunnel,
    waterDistanceM: roundOrNull(water.distanceM, 2),
    waterSide: water.side,
    waterType: water.type,
    waterName: water.name,
    waterLeftM: roundOrNull(water.leftM, 2),
    waterRightM: roundOrNull(water.rightM, 2),
    dropLeftM,
    dropRightM,
    cliffSide: cliffSideOf(dropLeftM, dropRightM, cliff, m.tunnel, config.drop.cliffDropM),
    cliffMapped: (cliff?.left ?? false) || (cliff?.right ?? false),
    curvatureRadiusM: Number.isFinite(m.curvatureRadiusM) ? round(m.curvatureRadiusM, 1) : null,
    curvatureClass: m.curvatureClass,
    gradePct: roundOrNull(m.gradePct, 1),
    gradeClass: m.gradeClass,
    guardrail: { left: round(guardrail.left, 2), right: round(guardrail.right, 2) },
    exposureScore: exposure.score,
    exposureLevel: exposure.level,
    exposureColour: config.levels.find((l) => l.level === exposure.level)?.colour ?? '',
    factors: exposure.factors,
    roadside: { left: roundSide(roadside.left), right: roundSide(roadside.right) },
    unknown,
  };
}

/** The segment as a GeoJSON feature, coordinates rounded to 1e-7° (about 1 cm). */
export function segmentFeature(seg: RoadSegment, properties: SegmentProperties): ScoredSegment {
  return {
    type: 'Feature',
    geometry: { type: 'LineString', coordinates: seg.coords.map((c) => [round(c[0], 7), round(c[1], 7)]) },
    properties,
  };
}
