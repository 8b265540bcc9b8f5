import type { LonLat } from '../geometry/ruler';
import type { OsmTags } from './osm.types';

/**
 * Water as the engine tells it apart: waterway lines, areas (lakes, reservoirs, river areas), and
 * the sea, known by its coastline (a line with the land on its left).
 */
export const WATER_TYPES = ['river', 'stream', 'canal', 'drain', 'ditch', 'riverbank', 'lake', 'reservoir', 'sea'] as const;
export type WaterType = (typeof WATER_TYPES)[number];

/** One OSM road way, as runs of consecutive nodes present in the extract (usually one run). */
export interface RoadWay {
  readonly id: number;
  readonly roadClass: string;
  readonly tags: OsmTags;
  /** A way whose nodes are partly outside the extract is cut at the gaps into several runs. */
  readonly lines: readonly (readonly LonLat[])[];
}

export interface WaterLine {
  /** `w<id>` or `r<id>` */
  readonly id: string;
  readonly type: WaterType;
  readonly name?: string | null;
  readonly coords: readonly LonLat[];
}

export interface WaterArea {
  readonly id: string;
  readonly type: WaterType;
  readonly name?: string | null;
  /** Closed rings (first = last); inside means inside an odd number of them (even–odd rule). */
  readonly rings: readonly (readonly LonLat[])[];
}

/** natural=cliff (top on the left of the way, by OSM convention) or barrier=guard_rail. */
export interface MappedLine {
  readonly id: string;
  readonly coords: readonly LonLat[];
}

export interface NetworkStats {
  roadWays: number;
  /** Road ways left out entirely: fewer than two nodes, or all nodes at one position. */
  skippedRoadWays: number;
  /** Consecutive nodes at the same position, removed. */
  duplicateNodesRemoved: number;
  /** Node references of kept features that the extract does not contain. */
  missingNodeRefs: number;
  waterLines: number;
  waterAreas: number;
  cliffs: number;
  guardrails: number;
}

/** Counts before any feature is read. */
export function emptyNetworkStats(): NetworkStats {
  return { roadWays: 0, skippedRoadWays: 0, duplicateNodesRemoved: 0, missingNodeRefs: 0, waterLines: 0, waterAreas: 0, cliffs: 0, guardrails: 0 };
}

/** Everything the scoring needs from an OSM extract, and nothing more. */
export interface RoadNetwork {
  readonly roads: readonly RoadWay[];
  readonly waterLines: readonly WaterLine[];
  readonly waterAreas: readonly WaterArea[];
  readonly cliffs: readonly MappedLine[];
  readonly guardrails: readonly MappedLine[];
  readonly stats: NetworkStats;
  readonly warnings: readonly string[];
}
