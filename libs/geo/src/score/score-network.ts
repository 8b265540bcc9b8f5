/**
 * Scoring a road network held in memory: each way cut into segments, each segment measured
 * (measureSegment), its roadside weighed per side (sideSeverity), its exposure computed, its
 * properties built and counted in the summary. Pure and synchronous: the files are read by
 * scoreFiles (score-files.ts).
 */
import type { FeatureCollection, LineString } from 'geojson';
import { buildCliffIndex, cliffAttributes } from '../attributes/cliff.attribute';
import { curvatureClassOf, minCurvatureRadius } from '../attributes/curvature.attribute';
import { dropAttributes, type DropResult } from '../attributes/drop.attribute';
import { gradeClassOf, gradePercent } from '../attributes/grade.attribute';
import { buildGuardrailIndex, guardrailAttributes } from '../attributes/guardrail.attribute';
import { isBridge, isTunnel, roadProfile, type RoadProfile } from '../attributes/road-profile';
import { segmentGeometry } from '../attributes/segment-geometry';
import { WaterIndex, waterAttributes } from '../attributes/water.attribute';
import type { ElevationModel } from '../dem/elevation-model';
import type { RoadNetwork } from '../osm/network.types';
import { segmentWay, type RoadSegment, type WayRun } from '../segment/segment-way';
import { computeExposure, type Exposure, type SideSeverity } from './exposure-score';
import { sideSeverity } from './roadside';
import { DEFAULT_SCORE_CONFIG, type ScoreConfig } from './score.config';
import { countSegment, emptySummary, finishSummary, type ScoreSummary } from './score-summary';
import { segmentFeature, segmentProperties, type ScoredSegment, type SegmentMeasures, type SegmentProperties } from './segment-properties';
import { speedOf } from './speed';

export interface ScoreResult {
  segments: FeatureCollection<LineString, SegmentProperties>;
  summary: ScoreSummary;
}

export interface ScoreNetworkOptions {
  network: RoadNetwork;
  /** Elevation; without it drop-off and grade are unknown (null), never 0. */
  dem?: ElevationModel | null;
  /** A resolved configuration (see resolveScoreConfig); defaults to DEFAULT_SCORE_CONFIG. */
  config?: ScoreConfig;
  onProgress?: (done: number, total: number) => void;
}

/** The network's roadside features, indexed once for every segment's search. */
export interface RoadsideIndexes {
  readonly water: WaterIndex;
  readonly cliffs: ReturnType<typeof buildCliffIndex>;
  readonly guardrails: ReturnType<typeof buildGuardrailIndex>;
}

export function roadsideIndexes(network: RoadNetwork): RoadsideIndexes {
  return {
    water: WaterIndex.build(network.waterLines, network.waterAreas),
    cliffs: buildCliffIndex(network.cliffs),
    guardrails: buildGuardrailIndex(network.guardrails),
  };
}

const noDrop = (n: number): DropResult => ({ leftM: 0, rightM: 0, stationLeft: new Float64Array(n), stationRight: new Float64Array(n) });

/** Every attribute of one segment, measured at its roadside stations and along its way. */
export function measureSegment(
  seg: RoadSegment,
  indexes: RoadsideIndexes,
  dem: ElevationModel | null,
  profile: RoadProfile,
  config: ScoreConfig,
): SegmentMeasures {
  const { way } = seg.run;
  const tunnel = isTunnel(way.tags);
  const geom = segmentGeometry(seg, config.roadside.stationStepM);
  const water = waterAttributes(indexes.water, geom, config.water);
  // Inside a tunnel nothing is beside the road: no water, drop or cliff exposure.
  const drop = tunnel ? noDrop(geom.stations.length) : dropAttributes(geom, dem, profile, config.drop.offsetsM);
  const cliff = tunnel ? null : cliffAttributes(indexes.cliffs, geom, config.cliff);
  const guardrail = guardrailAttributes(indexes.guardrails, geom, config.guardrail.maxDistanceM);
  const curvatureRadiusM = minCurvatureRadius(seg.run, seg.startM, seg.endM, config.curvature);
  const gradePct = dem ? gradePercent(seg.run, seg.startM, seg.endM, profile, config.grade) : null;
  return {
    bridge: isBridge(way.tags),
    tunnel,
    elevationM: dem ? profile((seg.startM + seg.endM) / 2) : null,
    water,
    drop,
    cliff,
    guardrail,
    curvatureRadiusM,
    curvatureClass: curvatureClassOf(curvatureRadiusM, config),
    gradePct,
    gradeClass: gradeClassOf(gradePct, config),
    speed: speedOf(way.tags, way.roadClass, config),
  };
}

/** Roadside points per side: the worst object at each station, less what a guardrail or parapet takes away. */
export function roadsideOf(m: SegmentMeasures, config: ScoreConfig): { left: SideSeverity; right: SideSeverity } {
  const at = { tunnel: m.tunnel, parapet: m.bridge && config.guardrail.bridgesHaveParapets };
  return {
    left: sideSeverity({ water: m.water.stationLeft, dropM: m.drop.stationLeft, cliff: m.cliff?.stationLeft ?? null, guarded: m.guardrail.stationLeft }, at, config),
    right: sideSeverity({ water: m.water.stationRight, dropM: m.drop.stationRight, cliff: m.cliff?.stationRight ?? null, guarded: m.guardrail.stationRight }, at, config),
  };
}

export function exposureOf(m: SegmentMeasures, roadside: { left: SideSeverity; right: SideSeverity }, config: ScoreConfig): Exposure {
  return computeExposure({ left: roadside.left, right: roadside.right, curvatureClass: m.curvatureClass, gradeClass: m.gradeClass, speedKmh: m.speed.kmh }, config);
}

export function scoreNetwork(options: ScoreNetworkOptions): ScoreResult {
  const started = performance.now();
  const config = options.config ?? DEFAULT_SCORE_CONFIG;
  const dem = options.dem ?? null;
  const { network, onProgress } = options;

  const indexes = roadsideIndexes(network);
  const segments: RoadSegment[] = [];
  for (const way of network.roads) for (const s of segmentWay(way, config.segmentation.maxSegmentM)) segments.push(s);

  // A way's road profile is shared by its segments.
  const profiles = new Map<WayRun, RoadProfile>();
  const profileOf = (run: WayRun) => {
    let profile = profiles.get(run);
    if (!profile) profiles.set(run, (profile = roadProfile(run, dem)));
    return profile;
  };

  const features: ScoredSegment[] = new Array(segments.length);
  const summary = emptySummary(network, segments.length, dem !== null, config);
  let overSea = 0;
  const progressEvery = Math.max(1, Math.floor(segments.length / 100));
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const measures = measureSegment(seg, indexes, dem, profileOf(seg.run), config);
    const roadside = roadsideOf(measures, config);
    const properties = segmentProperties(seg, measures, roadside, exposureOf(measures, roadside, config), config);
    features[i] = segmentFeature(seg, properties);
    countSegment(summary, seg.lengthM, properties, config);
    if (measures.water.overSea) overSea++;
    if (onProgress && (i % progressEvery === 0 || i === segments.length - 1)) onProgress(i + 1, segments.length);
  }
  if (segments.length === 0 && onProgress) onProgress(0, 0);

  finishSummary(summary, overSea);
  summary.elapsedMs = Math.round(performance.now() - started);
  return { segments: { type: 'FeatureCollection', features }, summary };
}
