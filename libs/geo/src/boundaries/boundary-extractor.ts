/**
 * Administrative boundaries (`boundary=administrative` relations of chosen `admin_level`s) as
 * GeoJSON polygons. Streams the extract three times, as the network extractor does: (1) the
 * matching relations, (2) their member ways' node lists, (3) the coordinates of those nodes.
 * Member ways are joined into rings by the shared multipolygon code (`assembleRings`, its open
 * leftovers joined by `joinOpenChains`), outer and inner roles separately. A relation becomes a
 * feature only when every member way is in the extract, every chain closes into a ring, every
 * node has a position and the rings make a valid area; otherwise it is listed in `problems` with
 * the reason — never dropped silently, never patched with invented edges.
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { GeoError } from '../geo.exception';
import type { LonLat } from '../geometry/ruler';
import { assembleRings } from '../osm/multipolygon';
import { detectOsmFormat, readOsm } from '../osm/osm-reader';
import type { OsmReadStats } from '../osm/osm.types';
import { joinOpenChains } from './chains';
import { buildPolygons, type Ring } from './polygon-builder';
import { boundaryIds } from './slug';

export interface BoundaryProperties {
  /** Stable slug of the name (`andorra-la-vella`), or `r<relationId>`; unique in the collection. */
  id: string;
  /** `name` tag; `r<relationId>` when the relation has none. */
  name: string;
  adminLevel: number;
  osmRelationId: number;
}

export type BoundaryCollection = FeatureCollection<Polygon | MultiPolygon, BoundaryProperties>;

/** `not-closed`: members or nodes missing, or chains that do not join into rings; `invalid`: closed rings that make no valid area. */
export type BoundaryProblemKind = 'not-closed' | 'invalid';

export interface BoundaryProblem {
  osmRelationId: number;
  name: string | null;
  adminLevel: number;
  kind: BoundaryProblemKind;
  reason: string;
}

export interface ExtractBoundariesOptions {
  /** `admin_level` values to keep (e.g. [7] for Andorra's parishes). */
  adminLevels: readonly number[];
}

export interface ExtractBoundariesResult {
  collection: BoundaryCollection;
  problems: BoundaryProblem[];
  read: OsmReadStats;
}

interface BoundaryRelation {
  id: number;
  name: string | null;
  adminLevel: number;
  outer: number[];
  inner: number[];
  /** Member relations (sub-areas, nested outer relations): not followed. */
  relationMembers: number;
}

/** Relation member roles: '' and 'outer' are outer, 'inner' inner; other way roles are not part of the area. */
function roleOf(role: string): 'outer' | 'inner' | null {
  const r = role.trim().toLowerCase();
  if (r === '' || r === 'outer') return 'outer';
  if (r === 'inner') return 'inner';
  return null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function extractBoundaries(osmPath: string, options: ExtractBoundariesOptions): Promise<ExtractBoundariesResult> {
  const levels = new Set(options.adminLevels);
  if (levels.size === 0 || [...levels].some((l) => !Number.isInteger(l))) {
    throw new GeoError('ARGUMENT_INVALID', `admin levels must be whole numbers, got [${options.adminLevels.join(', ')}]`);
  }
  const format = await detectOsmFormat(osmPath);

  // Pass 1: the boundary relations and their member ways.
  const relations: BoundaryRelation[] = [];
  const wantedWays = new Set<number>();
  await readOsm(
    osmPath,
    {
      relation(r) {
        const t = r.tags;
        if (t.boundary !== 'administrative' || (t.type !== 'boundary' && t.type !== 'multipolygon')) return;
        const level = Number(t.admin_level);
        if (!levels.has(level)) return;
        const rel: BoundaryRelation = { id: r.id, name: t.name?.trim() || null, adminLevel: level, outer: [], inner: [], relationMembers: 0 };
        for (const m of r.members) {
          if (m.type === 'relation' && roleOf(m.role)) rel.relationMembers++;
          if (m.type !== 'way') continue;
          const role = roleOf(m.role);
          if (!role) continue;
          rel[role].push(m.ref);
          wantedWays.add(m.ref);
        }
        relations.push(rel);
      },
    },
    format,
  );

  // Pass 2: those ways' node lists.
  const wayRefs = new Map<number, readonly number[]>();
  const wantedNodes = new Set<number>();
  if (wantedWays.size > 0) {
    await readOsm(
      osmPath,
      {
        way(w) {
          if (!wantedWays.has(w.id)) return;
          wayRefs.set(w.id, w.refs);
          for (const n of w.refs) wantedNodes.add(n);
        },
      },
      format,
    );
  }

  // Pass 3: the coordinates of those nodes.
  const coords = new Map<number, LonLat>();
  const read = await readOsm(
    osmPath,
    wantedNodes.size > 0
      ? {
          node(id, lon, lat) {
            if (wantedNodes.has(id)) coords.set(id, [lon, lat]);
          },
        }
      : {},
    format,
  );

  relations.sort((a, b) => a.id - b.id);
  const problems: BoundaryProblem[] = [];
  const built: { rel: BoundaryRelation; polygons: [number, number][][][] }[] = [];
  for (const rel of relations) {
    const problem = (kind: BoundaryProblemKind, reason: string) =>
      problems.push({ osmRelationId: rel.id, name: rel.name, adminLevel: rel.adminLevel, kind, reason });
    if (rel.outer.length + rel.inner.length === 0) {
      problem('not-closed', `no outer or inner member ways${rel.relationMembers ? ` (only ${plural(rel.relationMembers, 'member relation')}, which are not followed)` : ''}`);
      continue;
    }
    const missingWays = [...rel.outer, ...rel.inner].filter((w) => !wayRefs.has(w));
    const outer = joinOpenChains(assembleRings(rel.outer.filter((w) => wayRefs.has(w)).map((w) => wayRefs.get(w)!)));
    const inner = joinOpenChains(assembleRings(rel.inner.filter((w) => wayRefs.has(w)).map((w) => wayRefs.get(w)!)));
    const open = [...outer.open, ...inner.open];
    if (missingWays.length > 0 || open.length > 0 || rel.relationMembers > 0) {
      const parts: string[] = [];
      if (rel.relationMembers > 0) parts.push(`${plural(rel.relationMembers, 'outer/inner member relation')} (not followed)`);
      if (missingWays.length > 0) parts.push(`${missingWays.length} of ${plural(rel.outer.length + rel.inner.length, 'member way')} missing from the extract`);
      if (open.length > 0) {
        const ends = open.map((c) => `n${c[0]}…n${c[c.length - 1]}`);
        parts.push(`its ways leave ${plural(open.length, 'open chain')} (${ends.slice(0, 4).join(', ')}${ends.length > 4 ? ', …' : ''})`);
      }
      problem('not-closed', parts.join('; '));
      continue;
    }
    const toCoords = (rings: number[][]): { rings: Ring[]; missing: number } => {
      let missing = 0;
      const out: LonLat[][] = [];
      for (const ring of rings) {
        const pts: LonLat[] = [];
        for (const id of ring) {
          const p = coords.get(id);
          if (!p) {
            missing++;
            continue;
          }
          const last = pts[pts.length - 1];
          if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
        }
        out.push(pts);
      }
      return { rings: out, missing };
    };
    const outerRings = toCoords(outer.rings);
    const innerRings = toCoords(inner.rings);
    const missingNodes = outerRings.missing + innerRings.missing;
    if (missingNodes > 0) {
      problem('not-closed', `${plural(missingNodes, 'node')} of its rings missing from the extract`);
      continue;
    }
    const degenerate = [...outerRings.rings, ...innerRings.rings].find((r) => r.length < 4);
    if (degenerate) {
      problem('invalid', `a ring has fewer than 3 distinct positions${degenerate.length ? ` near ${degenerate[0][0].toFixed(6)},${degenerate[0][1].toFixed(6)}` : ''}`);
      continue;
    }
    const result = buildPolygons(outerRings.rings, innerRings.rings);
    if (!result.ok) {
      problem('invalid', result.reason);
      continue;
    }
    built.push({ rel, polygons: result.polygons });
  }

  const ids = boundaryIds(built.map(({ rel }) => ({ osmRelationId: rel.id, name: rel.name })));
  const collection: BoundaryCollection = {
    type: 'FeatureCollection',
    features: built.map(({ rel, polygons }) => ({
      type: 'Feature',
      id: ids.get(rel.id)!,
      geometry: polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
      properties: { id: ids.get(rel.id)!, name: rel.name ?? `r${rel.id}`, adminLevel: rel.adminLevel, osmRelationId: rel.id },
    })),
  };
  return { collection, problems, read };
}
