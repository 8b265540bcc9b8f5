/** The run's summary: counts by class and level, the roadside and terrain tallies, and the warnings. */
import type { RoadNetwork } from '../osm/network.types';
import { round, type SegmentProperties } from './segment-properties';
import { EXPOSURE_LEVELS, type ExposureLevel, type ScoreConfig } from './score.config';

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

/** A summary with nothing counted yet. */
export function emptySummary(network: RoadNetwork, segments: number, terrainAvailable: boolean, config: ScoreConfig): ScoreSummary {
  return {
    segments,
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
    terrainAvailable,
    elapsedMs: 0,
    configVersion: config.version,
    maxSegmentM: config.segmentation.maxSegmentM,
    warnings: [...network.warnings],
  };
}

/** Counts one scored segment (lengthM unrounded, so the total is not a sum of rounded lengths). */
export function countSegment(summary: ScoreSummary, lengthM: number, p: SegmentProperties, config: ScoreConfig): void {
  summary.lengthKm += lengthM / 1000;
  summary.byClass[p.roadClass] = (summary.byClass[p.roadClass] ?? 0) + 1;
  summary.byLevel[p.exposureLevel]++;
  if (!p.tunnel && p.waterDistanceM !== null && p.waterDistanceM <= config.water.besideMaxM) summary.waterSide++;
  if (p.cliffSide) summary.cliffSide++;
  if (p.curvatureClass === 'sharp' || p.curvatureClass === 'very_sharp') summary.sharpCurves++;
  if (p.gradeClass === 'steep' || p.gradeClass === 'very_steep') summary.steepGrades++;
  if (p.bridge) summary.bridges++;
  if (p.tunnel) summary.tunnels++;
  if (p.unknown.length > 0) summary.unknownTerrain++;
}

/** Rounds the total length and adds the warnings the counts call for. */
export function finishSummary(summary: ScoreSummary, overSea: number): void {
  summary.lengthKm = round(summary.lengthKm, 1);
  if (overSea > 0) {
    // Piers and causeways are out at sea; many more segments than those mean a coastline drawn the wrong way round.
    summary.warnings.push(
      `${overSea} segments lie on the sea side of a coastline (piers, causeways, or a coastline drawn with the land on its right): scored as in water, 0 m`,
    );
  }
  if (!summary.terrainAvailable) summary.warnings.push('no elevation model: drop-off and grade are unknown (null) for every segment');
  else if (summary.unknownTerrain > 0) {
    summary.warnings.push(
      `${summary.unknownTerrain} segments have unknown terrain (drop-off or grade null): no elevation data there, or a terrain grade steeper than any road (a road the grid cannot resolve)`,
    );
  }
}
