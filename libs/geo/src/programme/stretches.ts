/**
 * Stretches: consecutive segments of one road with the same need on the same side, the unit of a
 * survey, a programme item and a works task ("guardrail, left side, 1.4 km of CG-3", not 14 tasks
 * of 100 m). Road works are built in stretches, not per 100 m piece (iRAP SRIP practice).
 *
 * Segments chain where one ends at the other's start (same direction: the same side continues) or
 * where both start or both end at one point (a way drawn the other way: left becomes right). A
 * stretch is cut at `maxLengthM` so that a works item stays a job one crew can carry out. Pure.
 */
import type { LonLat } from '../geometry/ruler';

export type StretchSide = 'left' | 'right' | 'both';

export interface StretchPiece {
  segmentId: string;
  /** What makes a stretch one road: the road's ref, else its name, else its OSM way. */
  roadKey: string;
  /** The need (e.g. a countermeasure or "survey"); only pieces with the same need join. */
  need: string;
  side: StretchSide;
  lengthM: number;
  coordinates: readonly LonLat[];
}

export interface Stretch {
  /** Stable: the need, the side and the first member's id. */
  id: string;
  roadKey: string;
  need: string;
  /** The side in the direction of the first member. */
  side: StretchSide;
  lengthM: number;
  /** Members in order along the road; each with the side it is on in its own direction, and whether it runs against the stretch. */
  members: { segmentId: string; side: StretchSide; lengthM: number; reversed: boolean }[];
  /** One line per member, in order (a MultiLineString's coordinates). */
  lines: LonLat[][];
}

export interface StretchOptions {
  /** Longest stretch, metres (a longer run is cut into several). */
  maxLengthM: number;
}

export const DEFAULT_STRETCH_OPTIONS: StretchOptions = { maxLengthM: 2000 };

const flip = (s: StretchSide): StretchSide => (s === 'left' ? 'right' : s === 'right' ? 'left' : 'both');
const key = (p: LonLat) => `${p[0]},${p[1]}`;

interface Node {
  piece: StretchPiece;
  /** Whether the piece is walked against its own direction in the stretch. */
  reversed?: boolean;
}

export function buildStretches(pieces: readonly StretchPiece[], options: StretchOptions = DEFAULT_STRETCH_OPTIONS): Stretch[] {
  // Pieces of one road and need, by their end points.
  const groups = new Map<string, StretchPiece[]>();
  for (const p of pieces) {
    if (p.coordinates.length < 2) continue;
    const g = `${p.roadKey}\u0000${p.need}`;
    groups.set(g, [...(groups.get(g) ?? []), p]);
  }
  const out: Stretch[] = [];
  for (const group of groups.values()) {
    const sorted = [...group].sort((a, b) => a.segmentId.localeCompare(b.segmentId, 'en', { numeric: true }));
    const byEnd = new Map<string, StretchPiece[]>();
    for (const p of sorted) {
      for (const end of [key(p.coordinates[0]), key(p.coordinates[p.coordinates.length - 1])]) byEnd.set(end, [...(byEnd.get(end) ?? []), p]);
    }
    const used = new Set<string>();
    /** The one piece (not yet used) that meets `from` at point `at`, and whether it ends there; none at a junction. */
    const meeting = (at: string, from: StretchPiece): { piece: StretchPiece; endsHere: boolean } | null => {
      const all = byEnd.get(at) ?? [];
      const here = all.filter((q) => q !== from && !used.has(q.segmentId));
      // A junction (more than two pieces meet) ends the run: a stretch does not branch.
      if (here.length !== 1 || all.length > 2) return null;
      return { piece: here[0], endsHere: key(here[0].coordinates[here[0].coordinates.length - 1]) === at };
    };
    /** A piece's side as the walk meets it (a piece drawn the other way has its sides swapped). */
    const walkedSide = (n: Node) => (n.reversed ? flip(n.piece.side) : n.piece.side);
    const walkEnd = (n: Node) => key(n.reversed ? n.piece.coordinates[0] : n.piece.coordinates[n.piece.coordinates.length - 1]);
    const walkStart = (n: Node) => key(n.reversed ? n.piece.coordinates[n.piece.coordinates.length - 1] : n.piece.coordinates[0]);
    for (const seed of sorted) {
      if (used.has(seed.segmentId)) continue;
      used.add(seed.segmentId);
      // Walk back to the start of the run, then forward to its end; the side must continue.
      const run: Node[] = [{ piece: seed }];
      for (;;) {
        const n = run[0];
        const m = meeting(walkStart(n), n.piece);
        // Walking forward into n, the piece before it ends where n starts unless it is drawn the other way.
        const node: Node | null = m ? { piece: m.piece, reversed: !m.endsHere } : null;
        if (!node || walkedSide(node) !== walkedSide(n)) break;
        used.add(node.piece.segmentId);
        run.unshift(node);
      }
      for (;;) {
        const n = run[run.length - 1];
        const m = meeting(walkEnd(n), n.piece);
        const node: Node | null = m ? { piece: m.piece, reversed: m.endsHere } : null;
        if (!node || walkedSide(node) !== walkedSide(n)) break;
        used.add(node.piece.segmentId);
        run.push(node);
      }
      out.push(...cut(run, options.maxLengthM));
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
}

/** Cuts a run into stretches of at most `maxLengthM` (a single longer piece stays whole), evenly. */
function cut(run: Node[], maxLengthM: number): Stretch[] {
  const total = run.reduce((s, n) => s + n.piece.lengthM, 0);
  const parts = Math.max(1, Math.ceil(total / maxLengthM));
  const target = total / parts;
  const stretches: Node[][] = [[]];
  let acc = 0;
  for (const n of run) {
    const current = stretches[stretches.length - 1];
    if (current.length && acc + n.piece.lengthM / 2 > target * stretches.length && stretches.length < parts) stretches.push([]);
    stretches[stretches.length - 1].push(n);
    acc += n.piece.lengthM;
  }
  return stretches.map((nodes) => {
    const first = nodes[0];
    const side = first.reversed ? flip(first.piece.side) : first.piece.side;
    return {
      id: `${first.piece.need}:${side}:${first.piece.segmentId}`,
      roadKey: first.piece.roadKey,
      need: first.piece.need,
      side,
      lengthM: Math.round(nodes.reduce((s, n) => s + n.piece.lengthM, 0) * 10) / 10,
      members: nodes.map((n) => ({ segmentId: n.piece.segmentId, side: n.piece.side, lengthM: n.piece.lengthM, reversed: n.reversed === true })),
      lines: nodes.map((n) => (n.reversed ? [...n.piece.coordinates].reverse() : [...n.piece.coordinates])),
    };
  });
}
