/**
 * Joins the member ways of a multipolygon relation into closed rings by shared end nodes
 * (the OSM multipolygon rules: rings may be split over several ways, in any direction).
 * Roles are not needed: the engine tests "inside" with the even–odd rule over all rings,
 * which treats inner rings as holes of whichever outer ring holds them.
 */
export interface RingAssembly {
  /** Closed node-id rings (first id = last id). */
  rings: number[][];
  /** Chains that do not close (members missing from the extract or broken data). */
  open: number[][];
}

export function assembleRings(members: readonly (readonly number[])[]): RingAssembly {
  const rings: number[][] = [];
  const open: number[][] = [];
  const pending: (readonly number[] | null)[] = [];
  const byEnd = new Map<number, number[]>();
  for (const refs of members) {
    if (refs.length < 2) continue;
    if (refs[0] === refs[refs.length - 1]) {
      if (refs.length >= 4) rings.push([...refs]);
      else open.push([...refs]);
      continue;
    }
    const i = pending.length;
    pending.push(refs);
    for (const end of [refs[0], refs[refs.length - 1]]) {
      const list = byEnd.get(end);
      if (list) list.push(i);
      else byEnd.set(end, [i]);
    }
  }
  const take = (node: number): readonly number[] | null => {
    const list = byEnd.get(node);
    if (!list) return null;
    for (const i of list) {
      const refs = pending[i];
      if (refs) {
        pending[i] = null;
        return refs[0] === node ? refs : [...refs].reverse();
      }
    }
    return null;
  };
  for (let i = 0; i < pending.length; i++) {
    const start = pending[i];
    if (!start) continue;
    pending[i] = null;
    const chain = [...start];
    for (;;) {
      const last = chain[chain.length - 1];
      if (last === chain[0]) break;
      const next = take(last);
      if (!next) break;
      for (let k = 1; k < next.length; k++) chain.push(next[k]);
    }
    if (chain[0] === chain[chain.length - 1] && chain.length >= 4) rings.push(chain);
    else open.push(chain);
  }
  return { rings, open };
}
