/**
 * Builds a RoadNetwork from GeoJSON whose feature properties are OSM tags, classified exactly as
 * the OSM extractor does. Used by the golden fixtures, and handy for scoring hand-drawn networks.
 * Ids: `properties.osmId` (a number) when present, else the feature's position + 1.
 */
import type { Feature, FeatureCollection, Geometry, Position } from 'geojson';
import { GeoError } from '../geo.exception';
import type { LonLat } from '../geometry/ruler';
import { emptyNetworkStats, type MappedLine, type NetworkStats, type RoadNetwork, type RoadWay, type WaterArea, type WaterLine } from './network.types';
import type { OsmTags } from './osm.types';
import { DEFAULT_ROAD_CLASSES, isCliff, isGuardrail, roadClassOf, waterAreaTypeOf, waterLineTypeOf } from './way-classifier';

function tagsOf(f: Feature): OsmTags {
  const tags: OsmTags = {};
  for (const [k, v] of Object.entries(f.properties ?? {})) {
    if (k === 'osmId' || v === null || v === undefined || typeof v === 'object') continue;
    tags[k] = String(v);
  }
  return tags;
}

function dedupe(coords: readonly Position[], stats: NetworkStats): LonLat[] {
  const out: LonLat[] = [];
  for (const c of coords) {
    if (c.length < 2 || !Number.isFinite(c[0]) || !Number.isFinite(c[1])) throw new GeoError('OSM_INVALID', 'GeoJSON position without finite lon/lat');
    const last = out[out.length - 1];
    if (last && last[0] === c[0] && last[1] === c[1]) {
      stats.duplicateNodesRemoved++;
      continue;
    }
    out.push([c[0], c[1]]);
  }
  return out;
}

function lines(g: Geometry | null): Position[][] {
  if (!g) return [];
  if (g.type === 'LineString') return [g.coordinates];
  if (g.type === 'MultiLineString') return g.coordinates;
  return [];
}

function rings(g: Geometry | null): Position[][] {
  if (!g) return [];
  if (g.type === 'Polygon') return g.coordinates;
  if (g.type === 'MultiPolygon') return g.coordinates.flat();
  if (g.type === 'LineString') {
    const c = g.coordinates;
    const closed = c.length >= 4 && c[0][0] === c[c.length - 1][0] && c[0][1] === c[c.length - 1][1];
    return closed ? [c] : [];
  }
  return [];
}

export function networkFromGeoJson(fc: FeatureCollection, options: { roadClasses?: readonly string[] } = {}): RoadNetwork {
  const classes = new Set(options.roadClasses ?? DEFAULT_ROAD_CLASSES);
  const stats: NetworkStats = emptyNetworkStats();
  const roads: RoadWay[] = [];
  const waterLines: WaterLine[] = [];
  const waterAreas: WaterArea[] = [];
  const cliffs: MappedLine[] = [];
  const guardrails: MappedLine[] = [];
  fc.features.forEach((f, i) => {
    const tags = tagsOf(f);
    const rawId = f.properties?.osmId;
    const id = typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : i + 1;
    const name = tags.name ?? null;
    const roadClass = roadClassOf(tags, classes);
    if (roadClass) {
      const runs = lines(f.geometry)
        .map((l) => dedupe(l, stats))
        .filter((r) => r.length >= 2);
      if (runs.length === 0) stats.skippedRoadWays++;
      else roads.push({ id, roadClass, tags, lines: runs });
    }
    const areaType = waterAreaTypeOf(tags);
    const areaRings = areaType ? rings(f.geometry).map((r) => dedupe(r, stats)) : [];
    if (areaType && areaRings.length > 0) waterAreas.push({ id: `w${id}`, type: areaType, name, rings: areaRings });
    else {
      const lineType = waterLineTypeOf(tags) ?? areaType;
      if (lineType) for (const l of lines(f.geometry)) waterLines.push({ id: `w${id}`, type: lineType, name, coords: dedupe(l, stats) });
    }
    if (isCliff(tags)) for (const l of lines(f.geometry)) cliffs.push({ id: `w${id}`, coords: dedupe(l, stats) });
    if (isGuardrail(tags)) for (const l of lines(f.geometry)) guardrails.push({ id: `w${id}`, coords: dedupe(l, stats) });
  });
  stats.roadWays = roads.length;
  stats.waterLines = waterLines.length;
  stats.waterAreas = waterAreas.length;
  stats.cliffs = cliffs.length;
  stats.guardrails = guardrails.length;
  const warnings = stats.skippedRoadWays > 0 ? [`${stats.skippedRoadWays} road ways skipped: fewer than two distinct node positions (zero length)`] : [];
  return { roads, waterLines, waterAreas, cliffs, guardrails, stats, warnings };
}
