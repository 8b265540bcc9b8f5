/**
 * Completes `assembleRings` (osm/multipolygon.ts) for boundaries: that code grows each chain
 * forward only, so the leftovers of a broken ring can come out as several open chains that share
 * end nodes (a way picked from the middle of a run). Joining them at any shared end gives the
 * real gaps — one open chain per gap — and any ring that only closes that way.
 */
import type { RingAssembly } from '../osm/multipolygon';

export function joinOpenChains(assembly: RingAssembly): RingAssembly {
  const rings = assembly.rings.map((r) => [...r]);
  let chains = assembly.open.map((c) => [...c]);
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < chains.length; i++) {
      for (let j = i + 1; j < chains.length; j++) {
        const joined = join(chains[i], chains[j]);
        if (!joined) continue;
        chains = chains.filter((_, k) => k !== i && k !== j);
        if (joined[0] === joined[joined.length - 1] && joined.length >= 4) rings.push(joined);
        else chains.push(joined);
        merged = true;
        break outer;
      }
    }
  }
  return { rings, open: chains };
}

/** `a` and `b` joined at a shared end node (either direction), or null. Closed chains do not join. */
function join(a: number[], b: number[]): number[] | null {
  const a0 = a[0];
  const a1 = a[a.length - 1];
  const b0 = b[0];
  const b1 = b[b.length - 1];
  if (a0 === a1 || b0 === b1) return null;
  if (a1 === b0) return [...a, ...b.slice(1)];
  if (a1 === b1) return [...a, ...[...b].reverse().slice(1)];
  if (a0 === b1) return [...b, ...a.slice(1)];
  if (a0 === b0) return [...[...b].reverse(), ...a.slice(1)];
  return null;
}
