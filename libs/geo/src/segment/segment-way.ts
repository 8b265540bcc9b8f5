/**
 * Cuts road ways into scoring segments of at most `maxSegmentM` metres. Each run of a way is cut
 * into n = ceil(L / max) equal pieces (no short leftover piece at the end), numbered from 0 along
 * the way across runs, so the id `w<wayId>-<index>` is the same on every import of the same way.
 */
import type { LonLat } from '../geometry/ruler';
import { cumulativeLengthsM, sliceLine } from '../geometry/polyline';
import type { RoadWay } from '../osm/network.types';

/** A run of a way with its cumulative lengths: the context segments look around in. */
export interface WayRun {
  readonly way: RoadWay;
  readonly coords: readonly LonLat[];
  readonly cum: Float64Array;
  readonly lengthM: number;
}

export interface RoadSegment {
  readonly id: string;
  readonly wayId: number;
  readonly index: number;
  readonly run: WayRun;
  /** Offsets in metres of the segment's ends along its run. */
  readonly startM: number;
  readonly endM: number;
  readonly lengthM: number;
  readonly coords: readonly LonLat[];
}

export function segmentId(wayId: number, index: number): string {
  return `w${wayId}-${index}`;
}

/** Number of equal pieces of at most maxM metres for a length of lengthM metres. */
export function pieceCount(lengthM: number, maxM: number): number {
  // The small tolerance keeps 200.0000000001 m from becoming three 66.7 m pieces.
  return Math.max(1, Math.ceil(lengthM / maxM - 1e-9));
}

export function segmentWay(way: RoadWay, maxSegmentM: number): RoadSegment[] {
  if (!(maxSegmentM > 0)) throw new RangeError(`maxSegmentM must be > 0, got ${maxSegmentM}`);
  const segments: RoadSegment[] = [];
  let index = 0;
  for (const coords of way.lines) {
    const cum = cumulativeLengthsM(coords);
    const lengthM = cum[cum.length - 1];
    if (!(lengthM > 0)) continue;
    const run: WayRun = { way, coords, cum, lengthM };
    const n = pieceCount(lengthM, maxSegmentM);
    const step = lengthM / n;
    for (let i = 0; i < n; i++) {
      const startM = i * step;
      const endM = i === n - 1 ? lengthM : (i + 1) * step;
      segments.push({
        id: segmentId(way.id, index),
        wayId: way.id,
        index,
        run,
        startM,
        endM,
        lengthM: endM - startM,
        coords: sliceLine(coords, cum, startM, endM),
      });
      index++;
    }
  }
  return segments;
}
