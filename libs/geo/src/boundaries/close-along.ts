/**
 * Closing an area whose outer ring is broken at the extract's edge: an extract cut by a box or a
 * polygon keeps the ways inside it, so a township's ring may lack the ways beyond the edge — often
 * exactly where the township borders the region's own edge. Where an enclosing boundary (a lower
 * admin level) is closed in the extract and passes through both ends of the gap, the missing part
 * of the township's ring is that boundary's arc between them. Pure: node ids in, node ids out.
 */

/** The two arcs of a closed ring (node ids, first = last) from node `from` to node `to`, or null when either is not on it. */
export function arcsBetween(ring: readonly number[], from: number, to: number): [number[], number[]] | null {
  const cycle = ring[0] === ring[ring.length - 1] ? ring.slice(0, -1) : [...ring];
  const i = cycle.indexOf(from);
  const j = cycle.indexOf(to);
  if (i < 0 || j < 0 || i === j) return null;
  const n = cycle.length;
  const forward: number[] = [];
  for (let k = i; ; k = (k + 1) % n) {
    forward.push(cycle[k]);
    if (k === j) break;
  }
  const backward: number[] = [];
  for (let k = i; ; k = (k - 1 + n) % n) {
    backward.push(cycle[k]);
    if (k === j) break;
  }
  return [forward, backward];
}

/** The rings an open chain (a … b) makes with each arc of `ring` from b back to a. */
export function closingCandidates(chain: readonly number[], ring: readonly number[]): number[][] {
  const a = chain[0];
  const b = chain[chain.length - 1];
  const arcs = arcsBetween(ring, b, a);
  if (!arcs) return [];
  return arcs.map((arc) => [...chain, ...arc.slice(1)]);
}
