/**
 * Administrative boundaries (`boundary=administrative` relations of chosen `admin_level`s) as
 * GeoJSON polygons. Streams the extract three times, as the network extractor does: (1) the
 * matching relations, (2) their member ways' node lists, (3) the coordinates of those nodes.
 * Member ways are joined into rings by the shared multipolygon code (`assembleRings`, its open
 * leftovers joined by `joinOpenChains`), outer and inner roles separately. A relation becomes a
 * feature only when every member way is in the extract, every chain closes into a ring, every
 * node has a position and the rings make a valid area; otherwise it is listed in `problems` with
 * the reason — never dropped silently, never patched with invented edges. One exception, with its
 * source named: an outer ring broken by one gap at the extract's edge is closed along an enclosing
 * boundary (a lower admin level, closed in the extract) that passes through both ends of the gap;
 * when none can, the problem says precisely why.
 */
import type { FeatureCollection, MultiPolygon, Polygon } from 'geojson';
import { GeoError } from '../geo.exception';
import { distanceM, type LonLat } from '../geometry/ruler';
import { assembleRings } from '../osm/multipolygon';
import { detectOsmFormat, readOsm } from '../osm/osm-reader';
import type { OsmReadStats } from '../osm/osm.types';
import { joinOpenChains } from './chains';
import { closingCandidates } from './close-along';
import { buildPolygons, pointInRing, signedArea2, type Ring } from './polygon-builder';
import { boundaryIds } from './slug';

export interface BoundaryProperties {
  /** Stable slug of the name (`andorra-la-vella`), or `r<relationId>`; unique in the collection. */
  id: string;
  /** `name` tag; `r<relationId>` when the relation has none. */
  name: string;
  adminLevel: number;
  osmRelationId: number;
  /** Set when a gap at the extract's edge was closed along an enclosing boundary: which one. */
  closedAlong?: string;
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

  // Pass 1: the boundary relations and their member ways, and those of lower admin levels (the
  // enclosing boundaries a gap at the extract's edge may be closed along).
  const relations: BoundaryRelation[] = [];
  const enclosing: BoundaryRelation[] = [];
  const maxLevel = Math.max(...levels);
  const wantedWays = new Set<number>();
  await readOsm(
    osmPath,
    {
      relation(r) {
        const t = r.tags;
        if (t.boundary !== 'administrative' || (t.type !== 'boundary' && t.type !== 'multipolygon')) return;
        const level = Number(t.admin_level);
        if (!Number.isInteger(level) || (!levels.has(level) && level >= maxLevel)) return;
        const rel: BoundaryRelation = { id: r.id, name: t.name?.trim() || null, adminLevel: level, outer: [], inner: [], relationMembers: 0 };
        for (const m of r.members) {
          if (m.type === 'relation' && roleOf(m.role)) rel.relationMembers++;
          if (m.type !== 'way') continue;
          const role = roleOf(m.role);
          if (!role) continue;
          rel[role].push(m.ref);
          wantedWays.add(m.ref);
        }
        if (levels.has(level)) relations.push(rel);
        if (level < maxLevel) enclosing.push(rel);
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
  const built: { rel: BoundaryRelation; polygons: [number, number][][][]; closedAlong?: string }[] = [];
  /** Broken by exactly one gap in the outer ring: tried again along an enclosing boundary once every other area is built. */
  const deferred: { rel: BoundaryRelation; chain: number[]; rings: number[][]; inner: number[][]; parts: string[] }[] = [];
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
      if (rel.relationMembers === 0 && inner.open.length === 0 && outer.open.length === 1) {
        deferred.push({ rel, chain: outer.open[0], rings: outer.rings, inner: inner.rings, parts });
      } else if (rel.relationMembers === 0 && open.length > 1) {
        problem('not-closed', `${parts.join('; ')}; cannot close it along an enclosing boundary: that closes one gap in the outer ring, this has ${open.length}`);
      } else {
        problem('not-closed', parts.join('; '));
      }
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

  if (deferred.length) {
    const outlines = assembleOutlines(enclosing, wayRefs);
    const toRing = (ids: readonly number[]): Ring | null => {
      const pts: LonLat[] = [];
      for (const id of ids) {
        const p = coords.get(id);
        if (!p) return null;
        const last = pts[pts.length - 1];
        if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
      }
      return pts;
    };
    for (const d of deferred) {
      const siblings = built.filter((b) => b.rel.adminLevel === d.rel.adminLevel).map((b) => centroid(b.polygons[0][0]));
      const closing = closeAlongEnclosing(d, outlines.filter((o) => o.rel.adminLevel < d.rel.adminLevel), toRing, siblings, coords, read.bbox);
      if (closing.ok) built.push({ rel: d.rel, polygons: closing.polygons, closedAlong: closing.along });
      else problems.push({ osmRelationId: d.rel.id, name: d.rel.name, adminLevel: d.rel.adminLevel, kind: 'not-closed', reason: `${d.parts.join('; ')}; ${closing.reason}` });
    }
    built.sort((a, b) => a.rel.id - b.rel.id);
    problems.sort((a, b) => a.osmRelationId - b.osmRelationId);
  }

  const ids = boundaryIds(built.map(({ rel }) => ({ osmRelationId: rel.id, name: rel.name })));
  const collection: BoundaryCollection = {
    type: 'FeatureCollection',
    features: built.map(({ rel, polygons, closedAlong }) => ({
      type: 'Feature',
      id: ids.get(rel.id)!,
      geometry: polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons },
      properties: { id: ids.get(rel.id)!, name: rel.name ?? `r${rel.id}`, adminLevel: rel.adminLevel, osmRelationId: rel.id, ...(closedAlong ? { closedAlong } : {}) },
    })),
  };
  return { collection, problems, read };
}

interface Outline {
  rel: BoundaryRelation;
  rings: number[][];
  open: number[][];
}

/** The outer rings (node ids) of the enclosing boundaries, and where each is broken itself. */
function assembleOutlines(enclosing: readonly BoundaryRelation[], wayRefs: ReadonlyMap<number, readonly number[]>): Outline[] {
  return enclosing.map((rel) => {
    const joined = joinOpenChains(assembleRings(rel.outer.filter((w) => wayRefs.has(w)).map((w) => wayRefs.get(w)!)));
    return { rel, rings: joined.rings, open: joined.open };
  });
}

const relLabel = (r: BoundaryRelation) => `${r.name ?? 'unnamed'} (r${r.id}, admin level ${r.adminLevel})`;
const at = (coords: ReadonlyMap<number, LonLat>, id: number) => {
  const p = coords.get(id);
  return p ? `n${id} at ${p[0].toFixed(6)},${p[1].toFixed(6)}` : `n${id} (no position)`;
};

function centroid(ring: readonly (readonly number[])[]): LonLat {
  const n = ring.length - 1;
  let x = 0;
  let y = 0;
  for (let i = 0; i < n; i++) {
    x += ring[i][0];
    y += ring[i][1];
  }
  return [x / n, y / n];
}

type Closing = { ok: true; polygons: [number, number][][][]; along: string } | { ok: false; reason: string };

/**
 * Closes a ring broken by one gap (chain a … b) along the nearest enclosing boundary whose closed
 * ring passes through both a and b: of the two arcs from b back to a, the one that makes a valid
 * area holding none of the area's built siblings (then the smaller). Otherwise says why not.
 */
function closeAlongEnclosing(
  d: { chain: number[]; rings: number[][]; inner: number[][] },
  outlines: readonly Outline[],
  toRing: (ids: readonly number[]) => Ring | null,
  siblings: readonly LonLat[],
  coords: ReadonlyMap<number, LonLat>,
  extractBox: readonly number[] | null,
): Closing {
  const a = d.chain[0];
  const b = d.chain[d.chain.length - 1];
  const pa = coords.get(a);
  const pb = coords.get(b);
  const gap = `the gap runs from ${at(coords, b)} to ${at(coords, a)}${pa && pb ? `, ${(distanceM(pa, pb) / 1000).toFixed(1)} km apart` : ''}`;
  const byLevel = [...outlines].sort((x, y) => y.rel.adminLevel - x.rel.adminLevel || x.rel.id - y.rel.id);
  const tried: string[] = [];
  for (const outline of byLevel) {
    for (const ring of outline.rings) {
      // Enclosing means the area lies inside it: the chain runs through its inside (a neighbour
      // across a border shares the ends, or the whole chain, but never has it inside).
      const onRing = new Set(ring);
      const ringCoords = toRing(ring);
      const off = d.chain.filter((id) => !onRing.has(id));
      if (!ringCoords || off.length === 0 || !off.every((id) => coords.has(id) && pointInRing(coords.get(id)!, ringCoords))) {
        if (onRing.has(a) && onRing.has(b)) tried.push(`${relLabel(outline.rel)} passes through both ends but does not enclose the area`);
        continue;
      }
      const candidates = closingCandidates(d.chain, ring)
        .map((ids) => ({ ring: toRing(ids) }))
        .filter((c): c is { ring: Ring } => c.ring !== null && c.ring.length >= 4)
        .map((c) => {
          const rings = [...d.rings.map(toRing), c.ring];
          const inner = d.inner.map(toRing);
          if (rings.some((r) => r === null) || inner.some((r) => r === null)) return null;
          const built = buildPolygons(rings as Ring[], inner as Ring[]);
          if (!built.ok) return null;
          return { polygons: built.polygons, holds: siblings.filter((p) => pointInRing(p, c.ring)).length, area: Math.abs(signedArea2(c.ring)) };
        })
        .filter((c): c is NonNullable<typeof c> => c !== null)
        .sort((x, y) => x.holds - y.holds || x.area - y.area);
      if (candidates.length) return { ok: true, polygons: candidates[0].polygons, along: relLabel(outline.rel) };
      if (closingCandidates(d.chain, ring).length) tried.push(`along ${relLabel(outline.rel)} neither way round makes a valid area`);
    }
  }
  const ends = (o: Outline) => new Set(o.open.flatMap((c) => [c[0], c[c.length - 1]]));
  const sameGap = byLevel.filter((o) => ends(o).has(a) && ends(o).has(b));
  const brokenThere = sameGap.length ? sameGap : byLevel.filter((o) => ends(o).has(a) || ends(o).has(b));
  const why = tried.length
    ? tried.join('; ')
    : brokenThere.length
      ? `the enclosing ${brokenThere.map((o) => `${relLabel(o.rel)} is broken at the same place (its ways leave ${o.open.map((c) => `n${c[0]}…n${c[c.length - 1]}`).join(', ')})`).join('; ')}`
      : `no boundary of a lower admin level in the extract runs through both n${b} and n${a}`;
  const edge = extractBox ? `; the extract's bounds are ${extractBox.map((v) => v.toFixed(6)).join(',')}` : '';
  return { ok: false, reason: `cannot close it along an enclosing boundary: ${why}; ${gap}${edge}` };
}
