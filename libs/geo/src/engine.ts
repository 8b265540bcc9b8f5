/**
 * The scoring engine: road network (+ elevation) in, scored segments out. `scoreNetwork` is pure
 * and synchronous over data already in memory; `scoreFiles` reads an OSM extract and SRTM tiles
 * and calls it (used by the CLI and by the risk-service import).
 */
import type { Feature, FeatureCollection, LineString } from 'geojson';
import { readFile } from 'node:fs/promises';
import { cliffAttributes, buildCliffIndex } from './attributes/cliff.attribute';
import { curvatureClassOf, minCurvatureRadius } from './attributes/curvature.attribute';
import { dropAttributes, dropSeverity, type DropResult } from './attributes/drop.attribute';
import { gradeClassOf, gradePercent } from './attributes/grade.attribute';
import { buildGuardrailIndex, guardrailAttributes } from './attributes/guardrail.attribute';
import { isBridge, isTunnel, roadProfile, type RoadProfile } from './attributes/road-profile';
import { segmentGeometry } from './attributes/segment-geometry';
import { WaterIndex, waterAttributes, type WaterSide } from './attributes/water.attribute';
import { loadDem, type ElevationModel, type HgtTileSet } from './dem/elevation-model';
import { GeoError } from './geo.exception';
import type { RoadNetwork, WaterType } from './osm/network.types';
import { extractNetwork } from './osm/network-extractor';
import { computeExposure, type ExposureFactors, type SideSeverity } from './score/exposure-score';
import {
  DEFAULT_SCORE_CONFIG,
  EXPOSURE_LEVELS,
  resolveScoreConfig,
  type CurvatureClass,
  type ExposureLevel,
  type GradeClass,
  type ScoreConfig,
} from './score/score.config';
import { speedOf } from './score/speed';
import { segmentWay, type RoadSegment, type WayRun } from './segment/segment-way';

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

export interface ScoreSummary {
  segments: number;
  roadWays: number;
  lengthKm: number;
  byClass: Record<string, number>;
  byLevel: Record<ExposureLevel, number>;
  /** Segments with water within `water.besideMaxM` (tunnels excluded). */
  waterSide: number;
  cliffSide: number;
  sharpCurves: number;
  steepGrades: number;
  bridges: number;
  tunnels: number;
  /** Segments whose drop-off or grade is unknown (no elevation there). */
  unknownTerrain: number;
  terrainAvailable: boolean;
  elapsedMs: number;
  configVersion: string;
  maxSegmentM: number;
  warnings: string[];
}

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

const round = (x: number, digits: number) => {
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

function sideOf(left: boolean, right: boolean): CliffSide | null {
  return left && right ? 'both' : left ? 'left' : right ? 'right' : null;
}

const NO_DROP = (n: number): DropResult => ({ leftM: 0, rightM: 0, stationLeft: new Float64Array(n), stationRight: new Float64Array(n) });

export function scoreNetwork(options: ScoreNetworkOptions): ScoreResult {
  const started = performance.now();
  const config = options.config ?? DEFAULT_SCORE_CONFIG;
  const dem = options.dem ?? null;
  const { network } = options;
  const maxSegmentM = config.segmentation.maxSegmentM;

  const waterIndex = WaterIndex.build(network.waterLines, network.waterAreas);
  const cliffIndex = buildCliffIndex(network.cliffs);
  const guardrailIndex = buildGuardrailIndex(network.guardrails);

  const segments: RoadSegment[] = [];
  for (const way of network.roads) for (const s of segmentWay(way, maxSegmentM)) segments.push(s);

  const profiles = new Map<WayRun, RoadProfile>();
  const features: ScoredSegment[] = new Array(segments.length);
  const summary: ScoreSummary = {
    segments: segments.length,
    roadWays: network.roads.length,
    lengthKm: 0,
    byClass: {},
    byLevel: Object.fromEntries(EXPOSURE_LEVELS.map((l) => [l, 0])) as Record<ExposureLevel, number>,
    waterSide: 0,
    cliffSide: 0,
    sharpCurves: 0,
    steepGrades: 0,
    bridges: 0,
    tunnels: 0,
    unknownTerrain: 0,
    terrainAvailable: dem !== null,
    elapsedMs: 0,
    configVersion: config.version,
    maxSegmentM,
    warnings: [...network.warnings],
  };
  const levelColour = new Map(config.levels.map((l) => [l.level, l.colour]));
  let overSea = 0;
  const progressEvery = Math.max(1, Math.floor(segments.length / 100));

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const { way } = seg.run;
    const tags = way.tags;
    const bridge = isBridge(tags);
    const tunnel = isTunnel(tags);
    let profile = profiles.get(seg.run);
    if (!profile) profiles.set(seg.run, (profile = roadProfile(seg.run, dem)));

    const geom = segmentGeometry(seg, config.roadside.stationStepM);
    const n = geom.stations.length;
    const water = waterAttributes(waterIndex, geom, config.water);
    if (water.overSea) overSea++;
    // Inside a tunnel nothing is beside the road: no water, drop or cliff exposure.
    const drop = tunnel ? NO_DROP(n) : dropAttributes(geom, dem, profile, config.drop.offsetsM);
    const cliff = tunnel ? null : cliffAttributes(cliffIndex, geom, config.cliff);
    const guard = guardrailAttributes(guardrailIndex, geom, config.guardrail.maxDistanceM);
    const radius = minCurvatureRadius(seg.run, seg.startM, seg.endM, config.curvature);
    const grade = dem ? gradePercent(seg.run, seg.startM, seg.endM, profile, config.grade) : null;

    // Per station and side the worst roadside object counts, as iRAP codes the most severe one.
    const parapet = bridge && config.guardrail.bridgesHaveParapets;
    const sides: SideSeverity[] = [];
    for (let side = 0; side < 2; side++) {
      const w = side === 0 ? water.stationLeft : water.stationRight;
      const d = side === 0 ? drop.stationLeft : drop.stationRight;
      const c = cliff ? (side === 0 ? cliff.stationLeft : cliff.stationRight) : null;
      const g = side === 0 ? guard.stationLeft : guard.stationRight;
      let sw = 0;
      let sd = 0;
      let sc = 0;
      let sg = 0;
      for (let k = 0; k < n; k++) {
        const pw = tunnel ? 0 : w[k];
        const pd = Number.isNaN(d[k]) ? 0 : dropSeverity(d[k], config.drop.minDropM, config.drop.fullDropM, config.drop.severity);
        const pc = c ? c[k] : 0;
        const worst = Math.max(pw, pd, pc);
        if (worst <= 0) continue;
        if (pc === worst) sc += worst;
        else if (pd === worst) sd += worst;
        else sw += worst;
        if (g[k] || parapet) sg -= worst * config.guardrail.effectiveness;
      }
      sides.push({ water: sw / n, dropOff: sd / n, cliff: sc / n, guardrail: sg / n });
    }

    const curvatureClass = curvatureClassOf(radius, config);
    const gradeClass = gradeClassOf(grade, config);
    const speed = speedOf(tags, way.roadClass, config);
    const exposure = computeExposure({ left: sides[0], right: sides[1], curvatureClass, gradeClass, speedKmh: speed.kmh }, config);

    const dropLeftM = roundOrNull(drop.leftM, 1);
    const dropRightM = roundOrNull(drop.rightM, 1);
    const cliffSide = tunnel
      ? null
      : sideOf(
          (dropLeftM !== null && dropLeftM >= config.drop.cliffDropM) || (cliff?.left ?? false),
          (dropRightM !== null && dropRightM >= config.drop.cliffDropM) || (cliff?.right ?? false),
        );
    const unknown: SegmentProperties['unknown'] = [];
    if (dropLeftM === null || dropRightM === null) unknown.push('dropOff');
    if (grade === null) unknown.push('grade');

    const props: SegmentProperties = {
      id: seg.id,
      osmWayId: seg.wayId,
      index: seg.index,
      lengthM: round(seg.lengthM, 2),
      roadClass: way.roadClass,
      name: tags.name ?? null,
      ref: tags.ref ?? null,
      speedKmh: round(speed.kmh, 1),
      speedSource: speed.source,
      elevationM: dem ? roundOrNull(finiteOrNull(profile((seg.startM + seg.endM) / 2)), 0) : null,
      bridge,
      tunnel,
      waterDistanceM: roundOrNull(water.distanceM, 2),
      waterSide: water.side,
      waterType: water.type,
      waterName: water.name,
      waterLeftM: roundOrNull(water.leftM, 2),
      waterRightM: roundOrNull(water.rightM, 2),
      dropLeftM,
      dropRightM,
      cliffSide,
      cliffMapped: (cliff?.left ?? false) || (cliff?.right ?? false),
      curvatureRadiusM: Number.isFinite(radius) ? round(radius, 1) : null,
      curvatureClass,
      gradePct: roundOrNull(grade, 1),
      gradeClass,
      guardrail: { left: round(guard.left, 2), right: round(guard.right, 2) },
      exposureScore: exposure.score,
      exposureLevel: exposure.level,
      exposureColour: levelColour.get(exposure.level) ?? '',
      factors: exposure.factors,
      roadside: { left: roundSide(sides[0]), right: roundSide(sides[1]) },
      unknown,
    };
    features[i] = {
      type: 'Feature',
      geometry: { type: 'LineString', coordinates: seg.coords.map((c) => [round(c[0], 7), round(c[1], 7)]) },
      properties: props,
    };

    summary.lengthKm += seg.lengthM / 1000;
    summary.byClass[way.roadClass] = (summary.byClass[way.roadClass] ?? 0) + 1;
    summary.byLevel[exposure.level]++;
    if (!tunnel && props.waterDistanceM !== null && props.waterDistanceM <= config.water.besideMaxM) summary.waterSide++;
    if (cliffSide) summary.cliffSide++;
    if (curvatureClass === 'sharp' || curvatureClass === 'very_sharp') summary.sharpCurves++;
    if (gradeClass === 'steep' || gradeClass === 'very_steep') summary.steepGrades++;
    if (bridge) summary.bridges++;
    if (tunnel) summary.tunnels++;
    if (unknown.length > 0) summary.unknownTerrain++;
    if (options.onProgress && (i % progressEvery === 0 || i === segments.length - 1)) options.onProgress(i + 1, segments.length);
  }
  if (segments.length === 0 && options.onProgress) options.onProgress(0, 0);

  summary.lengthKm = round(summary.lengthKm, 1);
  if (overSea > 0) {
    // Piers and causeways are out at sea; many more segments than those mean a coastline drawn the wrong way round.
    summary.warnings.push(
      `${overSea} segments lie on the sea side of a coastline (piers, causeways, or a coastline drawn with the land on its right): scored as in water, 0 m`,
    );
  }
  if (!dem) summary.warnings.push('no elevation model: drop-off and grade are unknown (null) for every segment');
  else if (summary.unknownTerrain > 0) {
    summary.warnings.push(
      `${summary.unknownTerrain} segments have unknown terrain (drop-off or grade null): no elevation data there, or a terrain grade steeper than any road (a road the grid cannot resolve)`,
    );
  }
  summary.elapsedMs = Math.round(performance.now() - started);
  return { segments: { type: 'FeatureCollection', features }, summary };
}

export interface ScoreFilesOptions {
  /** OSM extract, PBF or XML (detected from the content). */
  osmPath: string;
  /** An SRTM `.hgt` tile or a directory of tiles; omitted → terrain unknown everywhere. */
  demPath?: string | null;
  /** A partial configuration (merged over the defaults) or a resolved one. */
  config?: unknown;
  /** Path of a JSON file with a partial configuration (applied before `config`). */
  configPath?: string | null;
  /** Overrides config.segmentation.maxSegmentM. */
  maxSegmentM?: number;
  /** Score an extract without roads instead of failing with OSM_EMPTY. */
  allowEmpty?: boolean;
  onProgress?: (done: number, total: number) => void;
}

async function readConfigFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GeoError('INPUT_NOT_FOUND', `${path}: cannot read configuration file`, { cause: err });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GeoError('CONFIG_INVALID', `${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

function mergeOverrides(...parts: unknown[]): unknown {
  const out: Record<string, unknown> = {};
  const merge = (target: Record<string, unknown>, src: unknown) => {
    if (typeof src !== 'object' || src === null || Array.isArray(src)) return;
    for (const [k, v] of Object.entries(src)) {
      const t = target[k];
      if (typeof v === 'object' && v !== null && !Array.isArray(v) && typeof t === 'object' && t !== null && !Array.isArray(t)) {
        const copy = { ...(t as Record<string, unknown>) };
        merge(copy, v);
        target[k] = copy;
      } else target[k] = v;
    }
  };
  for (const p of parts) merge(out, p);
  return out;
}

/** Reads the files, scores the network, and reports reading time in the summary too. */
export async function scoreFiles(options: ScoreFilesOptions): Promise<ScoreResult> {
  const started = performance.now();
  if (options.maxSegmentM !== undefined && !(options.maxSegmentM > 0 && Number.isFinite(options.maxSegmentM))) {
    throw new GeoError('ARGUMENT_INVALID', `maxSegmentM must be a positive number, got ${options.maxSegmentM}`);
  }
  if (options.config !== undefined && (typeof options.config !== 'object' || options.config === null || Array.isArray(options.config))) {
    throw new GeoError('CONFIG_INVALID', 'score configuration must be an object');
  }
  const fromFile = options.configPath ? await readConfigFile(options.configPath) : undefined;
  if (fromFile !== undefined && (typeof fromFile !== 'object' || fromFile === null || Array.isArray(fromFile))) {
    throw new GeoError('CONFIG_INVALID', `${options.configPath}: the configuration must be a JSON object`);
  }
  const overrides = [fromFile, options.config, options.maxSegmentM !== undefined ? { segmentation: { maxSegmentM: options.maxSegmentM } } : undefined].filter(
    (o) => o !== undefined,
  );
  const config = resolveScoreConfig(overrides.length > 0 ? mergeOverrides(...overrides) : undefined);

  const warnings: string[] = [];
  let dem: HgtTileSet | null = null;
  if (options.demPath) {
    const loaded = await loadDem(options.demPath);
    warnings.push(...loaded.warnings);
    dem = loaded.tiles.length > 0 ? loaded.model : null;
  }
  const { network } = await extractNetwork(options.osmPath, { roadClasses: config.roads.classes });
  if (network.roads.length === 0 && !options.allowEmpty) {
    throw new GeoError('OSM_EMPTY', `${options.osmPath}: no road ways of the scored classes (${config.roads.classes.join(', ')}) in the extract`);
  }
  const result = scoreNetwork({ network, dem, config, onProgress: options.onProgress });
  if (dem) warnings.push(...dem.warnings);
  result.summary.warnings.unshift(...warnings);
  result.summary.elapsedMs = Math.round(performance.now() - started);
  return result;
}
