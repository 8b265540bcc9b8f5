/**
 * Streams an OSM extract three times and keeps only what scoring needs: (1) water multipolygon
 * relations, (2) road, water, cliff and guardrail ways plus the member ways of those relations,
 * (3) the coordinates of the nodes those ways use. No pass holds the whole file in memory.
 */
import type { LonLat } from '../geometry/ruler';
import { emptyNetworkStats, type MappedLine, type NetworkStats, type RoadNetwork, type RoadWay, type WaterArea, type WaterLine, type WaterType } from './network.types';
import { assembleRings } from './multipolygon';
import { detectOsmFormat, readOsm } from './osm-reader';
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

interface PendingWay {
  id: number;
  refs: readonly number[];
  tags: OsmTags;
}

/** Node coordinates looked up by id; NaN when the node is not in the extract. */
export type NodeLookup = (id: number) => LonLat | null;

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

export async function extractNetwork(path: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  const roadClasses = new Set(options.roadClasses ?? DEFAULT_ROAD_CLASSES);
  const format = await detectOsmFormat(path);
  const warnings: string[] = [];

  // Pass 1: water multipolygons.
  const waterRelations: { id: number; type: WaterType; name: string | null; members: number[] }[] = [];
  const memberWays = new Set<number>();
  await readOsm(
    path,
    {
      relation(r) {
        if (r.tags.type !== 'multipolygon') return;
        const type = waterAreaTypeOf(r.tags);
        if (!type) return;
        const members = r.members.filter((m) => m.type === 'way').map((m) => m.ref);
        for (const m of members) memberWays.add(m);
        waterRelations.push({ id: r.id, type, name: r.tags.name ?? null, members });
      },
    },
    format,
  );

  // Pass 2: the ways.
  const roads: PendingWay[] = [];
  const waterWays: { way: PendingWay; type: WaterType; area: boolean }[] = [];
  const cliffWays: PendingWay[] = [];
  const guardrailWays: PendingWay[] = [];
  const memberRefs = new Map<number, readonly number[]>();
  const neededNodes = new Set<number>();
  const need = (refs: readonly number[]) => {
    for (const r of refs) neededNodes.add(r);
  };
  let unclosedAreas = 0;
  await readOsm(
    path,
    {
      way(w) {
        let kept = false;
        if (roadClassOf(w.tags, roadClasses)) {
          roads.push(w);
          kept = true;
        }
        const lineType = waterLineTypeOf(w.tags);
        const areaType = waterAreaTypeOf(w.tags);
        const closed = w.refs.length >= 4 && w.refs[0] === w.refs[w.refs.length - 1];
        if (areaType && closed) {
          waterWays.push({ way: w, type: areaType, area: true });
          kept = true;
        } else if (lineType || areaType) {
          // An unclosed area-tagged way still marks where water is: keep its edges as a line.
          if (!lineType) unclosedAreas++;
          waterWays.push({ way: w, type: (lineType ?? areaType)!, area: false });
          kept = true;
        }
        if (isCliff(w.tags)) {
          cliffWays.push(w);
          kept = true;
        }
        if (isGuardrail(w.tags)) {
          guardrailWays.push(w);
          kept = true;
        }
        if (memberWays.has(w.id)) {
          memberRefs.set(w.id, w.refs);
          kept = true;
        }
        if (kept) need(w.refs);
      },
    },
    format,
  );
  if (unclosedAreas > 0) warnings.push(`${unclosedAreas} water area ways do not close; their edges are used as water lines`);

  // Pass 3: coordinates of the needed nodes only.
  const slot = new Map<number, number>();
  let n = 0;
  for (const id of neededNodes) slot.set(id, n++);
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

  const stats: NetworkStats = emptyNetworkStats();
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

  const waterLines: WaterLine[] = [];
  const waterAreas: WaterArea[] = [];
  for (const { way, type, area } of waterWays) {
    const runs = coordinateRuns(way.refs, lookup, stats);
    const name = way.tags.name ?? null;
    if (area && runs.length === 1 && runs[0].length >= 4) waterAreas.push({ id: `w${way.id}`, type, name, rings: runs });
    else for (const coords of runs) waterLines.push({ id: `w${way.id}`, type, name, coords });
  }
  for (const rel of waterRelations) {
    const present = rel.members.filter((m) => memberRefs.has(m)).map((m) => memberRefs.get(m)!);
    const { rings, open } = assembleRings(present);
    const coordRings: LonLat[][] = [];
    let broken = open.length + (rel.members.length - present.length);
    for (const ring of rings) {
      const runs = coordinateRuns(ring, lookup, stats);
      const r = runs[0];
      const closed = runs.length === 1 && r.length >= 4 && r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1];
      if (closed) coordRings.push(runs[0]);
      else {
        broken++;
        for (const coords of runs) waterLines.push({ id: `r${rel.id}`, type: rel.type, name: rel.name, coords });
      }
    }
    for (const chain of open) {
      for (const coords of coordinateRuns(chain, lookup, stats)) waterLines.push({ id: `r${rel.id}`, type: rel.type, name: rel.name, coords });
    }
    if (coordRings.length > 0) waterAreas.push({ id: `r${rel.id}`, type: rel.type, name: rel.name, rings: coordRings });
    if (broken > 0) warnings.push(`multipolygon r${rel.id} (${rel.type}) does not close into rings; its open edges are used as water lines`);
  }
  stats.waterLines = waterLines.length;
  stats.waterAreas = waterAreas.length;

  const mapped = (ways: PendingWay[]): MappedLine[] =>
    ways.flatMap((w) => coordinateRuns(w.refs, lookup, stats).map((coords) => ({ id: `w${w.id}`, coords })));
  const cliffs = mapped(cliffWays);
  const guardrails = mapped(guardrailWays);
  stats.cliffs = cliffs.length;
  stats.guardrails = guardrails.length;

  return { network: { roads: roadWays, waterLines, waterAreas, cliffs, guardrails, stats, warnings }, read };
}
