/**
 * Streams an OSM extract three times and keeps only what scoring needs: (1) water multipolygon
 * relations, (2) road, water, cliff and guardrail ways plus the member ways of those relations,
 * (3) the coordinates of the nodes those ways use. No pass holds the whole file in memory. The
 * network is then assembled from what the passes kept (assembleNetwork, pure).
 */
import type { LonLat } from '../geometry/ruler';
import { emptyNetworkStats, type MappedLine, type NetworkStats, type RoadNetwork, type RoadWay, type WaterArea, type WaterLine, type WaterType } from './network.types';
import { assembleRings } from './multipolygon';
import { detectOsmFormat, readOsm, type OsmFormat } from './osm-reader';
import type { OsmReadStats, OsmTags } from './osm.types';
import { DEFAULT_ROAD_CLASSES, isCliff, isGuardrail, roadClassOf, waterAreaTypeOf, waterLineTypeOf } from './way-classifier';

export interface ExtractOptions {
  /** highway=* values to score; defaults to DEFAULT_ROAD_CLASSES. */
  roadClasses?: readonly string[];
}

export interface ExtractResult {
  network: RoadNetwork;
  read: OsmReadStats;
}

export interface PendingWay {
  readonly id: number;
  readonly refs: readonly number[];
  readonly tags: OsmTags;
}

/** A water multipolygon relation: its type, name and member ways. */
export interface WaterRelation {
  readonly id: number;
  readonly type: WaterType;
  readonly name: string | null;
  readonly members: readonly number[];
}

/** A water way: an area when it is area-tagged and closed, else a line. */
export interface WaterWay {
  readonly way: PendingWay;
  readonly type: WaterType;
  readonly area: boolean;
}

/** What the way pass keeps. */
export interface KeptWays {
  readonly roads: PendingWay[];
  readonly water: WaterWay[];
  readonly cliffs: PendingWay[];
  readonly guardrails: PendingWay[];
  /** Node lists of the water relations' member ways. */
  readonly memberRefs: Map<number, readonly number[]>;
  /** Area-tagged water ways that do not close (kept as lines). */
  unclosedAreas: number;
}

/** Node coordinates looked up by id; null when the node is not in the extract. */
export type NodeLookup = (id: number) => LonLat | null;

/** What scoring makes of one way: any of a road, water, a cliff and a guardrail, or nothing. */
export interface WayRoles {
  readonly road: boolean;
  readonly water: { readonly type: WaterType; readonly area: boolean } | null;
  /** An area-tagged water way that does not close: its edges are kept as a water line. */
  readonly unclosedArea: boolean;
  readonly cliff: boolean;
  readonly guardrail: boolean;
}

export function wayRoles(way: Pick<PendingWay, 'refs' | 'tags'>, roadClasses: ReadonlySet<string>): WayRoles {
  const { refs, tags } = way;
  const lineType = waterLineTypeOf(tags);
  const areaType = waterAreaTypeOf(tags);
  const closed = refs.length >= 4 && refs[0] === refs[refs.length - 1];
  // An unclosed area-tagged way still marks where water is: keep its edges as a line.
  const water = areaType && closed ? { type: areaType, area: true } : lineType || areaType ? { type: (lineType ?? areaType)!, area: false } : null;
  return {
    road: roadClassOf(tags, roadClasses) !== null,
    water,
    unclosedArea: water !== null && !water.area && !lineType,
    cliff: isCliff(tags),
    guardrail: isGuardrail(tags),
  };
}

/** Pass 1: the water multipolygon relations. */
export async function readWaterRelations(path: string, format: OsmFormat): Promise<WaterRelation[]> {
  const relations: WaterRelation[] = [];
  await readOsm(
    path,
    {
      relation(r) {
        if (r.tags.type !== 'multipolygon') return;
        const type = waterAreaTypeOf(r.tags);
        if (!type) return;
        const members = r.members.filter((m) => m.type === 'way').map((m) => m.ref);
        relations.push({ id: r.id, type, name: r.tags.name ?? null, members });
      },
    },
    format,
  );
  return relations;
}

/** Pass 2: the ways scoring uses (and the relations' member ways), and the nodes they need. */
export async function readWays(
  path: string,
  format: OsmFormat,
  roadClasses: ReadonlySet<string>,
  relations: readonly WaterRelation[],
): Promise<{ ways: KeptWays; neededNodes: Set<number> }> {
  const memberWays = new Set(relations.flatMap((r) => r.members));
  const ways: KeptWays = { roads: [], water: [], cliffs: [], guardrails: [], memberRefs: new Map(), unclosedAreas: 0 };
  const neededNodes = new Set<number>();
  await readOsm(
    path,
    {
      way(w) {
        const roles = wayRoles(w, roadClasses);
        const member = memberWays.has(w.id);
        if (roles.road) ways.roads.push(w);
        if (roles.water) ways.water.push({ way: w, ...roles.water });
        if (roles.unclosedArea) ways.unclosedAreas++;
        if (roles.cliff) ways.cliffs.push(w);
        if (roles.guardrail) ways.guardrails.push(w);
        if (member) ways.memberRefs.set(w.id, w.refs);
        if (roles.road || roles.water || roles.cliff || roles.guardrail || member) for (const r of w.refs) neededNodes.add(r);
      },
    },
    format,
  );
  return { ways, neededNodes };
}

/** Pass 3: the coordinates of the needed nodes only (two floats each). */
export async function readNodePositions(path: string, format: OsmFormat, needed: ReadonlySet<number>): Promise<{ lookup: NodeLookup; read: OsmReadStats }> {
  const slot = new Map<number, number>();
  let n = 0;
  for (const id of needed) slot.set(id, n++);
  const xy = new Float64Array(2 * n).fill(NaN);
  const read = await readOsm(
    path,
    {
      node(id, lon, lat) {
        const s = slot.get(id);
        if (s !== undefined) {
          xy[2 * s] = lon;
          xy[2 * s + 1] = lat;
        }
      },
    },
    format,
  );
  const lookup: NodeLookup = (id) => {
    const s = slot.get(id);
    if (s === undefined || Number.isNaN(xy[2 * s])) return null;
    return [xy[2 * s], xy[2 * s + 1]];
  };
  return { lookup, read };
}

/** Splits a way's node list into runs of present nodes, without repeated positions. */
export function coordinateRuns(
  refs: readonly number[],
  lookup: NodeLookup,
  stats: Pick<NetworkStats, 'duplicateNodesRemoved' | 'missingNodeRefs'>,
): LonLat[][] {
  const runs: LonLat[][] = [];
  let run: LonLat[] = [];
  for (const ref of refs) {
    const p = lookup(ref);
    if (!p) {
      stats.missingNodeRefs++;
      if (run.length > 0) runs.push(run);
      run = [];
      continue;
    }
    const last = run[run.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) {
      stats.duplicateNodesRemoved++;
      continue;
    }
    run.push(p);
  }
  if (run.length > 0) runs.push(run);
  return runs.filter((r) => r.length >= 2);
}

/** Road ways with their coordinates: a way with no two distinct positions is skipped, one with missing nodes cut at the gaps. */
export function roadWaysOf(roads: readonly PendingWay[], lookup: NodeLookup, stats: NetworkStats, warnings: string[]): RoadWay[] {
  const roadWays: RoadWay[] = [];
  let splitWays = 0;
  for (const w of roads) {
    const missingBefore = stats.missingNodeRefs;
    const lines = coordinateRuns(w.refs, lookup, stats);
    if (lines.length === 0) {
      stats.skippedRoadWays++;
      continue;
    }
    if (stats.missingNodeRefs > missingBefore) splitWays++;
    roadWays.push({ id: w.id, roadClass: w.tags.highway, tags: w.tags, lines });
  }
  stats.roadWays = roadWays.length;
  if (stats.skippedRoadWays > 0) warnings.push(`${stats.skippedRoadWays} road ways skipped: fewer than two distinct node positions (zero length)`);
  if (splitWays > 0) warnings.push(`${splitWays} road ways reference nodes missing from the extract; they were cut at the gaps`);
  return roadWays;
}

/** A water multipolygon as rings where its member ways close (the area), and as lines where they do not. */
export function waterOfRelation(
  rel: WaterRelation,
  memberRefs: ReadonlyMap<number, readonly number[]>,
  lookup: NodeLookup,
  stats: NetworkStats,
): { area: WaterArea | null; lines: WaterLine[]; broken: boolean } {
  const present = rel.members.filter((m) => memberRefs.has(m)).map((m) => memberRefs.get(m)!);
  const { rings, open } = assembleRings(present);
  const coordRings: LonLat[][] = [];
  const lines: WaterLine[] = [];
  const line = (coords: LonLat[]): WaterLine => ({ id: `r${rel.id}`, type: rel.type, name: rel.name, coords });
  let broken = open.length + (rel.members.length - present.length);
  for (const ring of rings) {
    const runs = coordinateRuns(ring, lookup, stats);
    const r = runs[0];
    const closed = runs.length === 1 && r.length >= 4 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1];
    if (closed) coordRings.push(runs[0]);
    else {
      broken++;
      for (const coords of runs) lines.push(line(coords));
    }
  }
  for (const chain of open) for (const coords of coordinateRuns(chain, lookup, stats)) lines.push(line(coords));
  const area = coordRings.length > 0 ? { id: `r${rel.id}`, type: rel.type, name: rel.name, rings: coordRings } : null;
  return { area, lines, broken: broken > 0 };
}

/** Water lines and areas from the water ways and the multipolygon relations. */
export function waterOf(
  ways: readonly WaterWay[],
  relations: readonly WaterRelation[],
  memberRefs: ReadonlyMap<number, readonly number[]>,
  lookup: NodeLookup,
  stats: NetworkStats,
  warnings: string[],
): { waterLines: WaterLine[]; waterAreas: WaterArea[] } {
  const waterLines: WaterLine[] = [];
  const waterAreas: WaterArea[] = [];
  for (const { way, type, area } of ways) {
    const runs = coordinateRuns(way.refs, lookup, stats);
    const name = way.tags.name ?? null;
    if (area && runs.length === 1 && runs[0].length >= 4) waterAreas.push({ id: `w${way.id}`, type, name, rings: runs });
    else for (const coords of runs) waterLines.push({ id: `w${way.id}`, type, name, coords });
  }
  for (const rel of relations) {
    const { area, lines, broken } = waterOfRelation(rel, memberRefs, lookup, stats);
    waterLines.push(...lines);
    if (area) waterAreas.push(area);
    if (broken) warnings.push(`multipolygon r${rel.id} (${rel.type}) does not close into rings; its open edges are used as water lines`);
  }
  stats.waterLines = waterLines.length;
  stats.waterAreas = waterAreas.length;
  return { waterLines, waterAreas };
}

/** Cliff or guardrail ways as lines (one per run of present nodes). */
export function mappedLinesOf(ways: readonly PendingWay[], lookup: NodeLookup, stats: NetworkStats): MappedLine[] {
  return ways.flatMap((w) => coordinateRuns(w.refs, lookup, stats).map((coords) => ({ id: `w${w.id}`, coords })));
}

/** The network from what the passes kept: pure, given the node lookup. */
export function assembleNetwork(relations: readonly WaterRelation[], ways: KeptWays, lookup: NodeLookup): RoadNetwork {
  const warnings: string[] = [];
  if (ways.unclosedAreas > 0) warnings.push(`${ways.unclosedAreas} water area ways do not close; their edges are used as water lines`);
  const stats = emptyNetworkStats();
  const roads = roadWaysOf(ways.roads, lookup, stats, warnings);
  const { waterLines, waterAreas } = waterOf(ways.water, relations, ways.memberRefs, lookup, stats, warnings);
  const cliffs = mappedLinesOf(ways.cliffs, lookup, stats);
  const guardrails = mappedLinesOf(ways.guardrails, lookup, stats);
  stats.cliffs = cliffs.length;
  stats.guardrails = guardrails.length;
  return { roads, waterLines, waterAreas, cliffs, guardrails, stats, warnings };
}

export async function extractNetwork(path: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const roadClasses = new Set(options.roadClasses ?? DEFAULT_ROAD_CLASSES);
  const format = await detectOsmFormat(path);
  const relations = await readWaterRelations(path, format);
  const { ways, neededNodes } = await readWays(path, format, roadClasses, relations);
  const { lookup, read } = await readNodePositions(path, format, neededNodes);
  return { network: assembleNetwork(relations, ways, lookup), read };
}
