/**
 * Smallest curve radius along a segment.
 *
 * At each way vertex B in the segment, the radius of the circle through B and the first vertices
 * A and C at least b metres before and after it along the way (circumradius R = abc / 4K), for
 * each chord half-length b in `baseLengthsM`; neighbours outside the segment count, so a curve at a
 * segment end is seen whole. Three guards keep the radius honest:
 * - A and C at least b away: densely drawn roads do not read digitising noise as tight curves;
 * - B at least `minSagittaM` off the chord AC: below that the bend is within the noise;
 * - B itself must turn the way the circle turns, by at least `minTurnShare` of the turn a vertex
 *   on that circle would make ((ℓ₁ + ℓ₂) / 2R for its edges ℓ₁, ℓ₂): otherwise A–B–C spans into
 *   the next curve (the straight before a hairpin is not part of the hairpin).
 */
import { LocalFrame, circumradius, cross } from '../geometry/planar';
import { edgeAt } from '../geometry/polyline';
import type { WayRun } from '../segment/segment-way';
import type { CurvatureClass, ScoreConfig } from '../score/score.config';

const INF = Number.POSITIVE_INFINITY;

export interface CurvatureParams {
  baseLengthsM: readonly number[];
  minSagittaM: number;
  minTurnShare: number;
}

/** Signed turn at vertex i of a polyline in a metric frame, radians (left positive). */
function turnAt(xs: Float64Array, ys: Float64Array, i: number): number {
  const h1 = Math.atan2(ys[i] - ys[i - 1], xs[i] - xs[i - 1]);
  const h2 = Math.atan2(ys[i + 1] - ys[i], xs[i + 1] - xs[i]);
  let d = h2 - h1;
  if (d > Math.PI) d -= 2 * Math.PI;
  else if (d < -Math.PI) d += 2 * Math.PI;
  return d;
}

/** Smallest radius in metres; INF when no measurable curve (straight). */
export function minCurvatureRadius(run: WayRun, startM: number, endM: number, p: CurvatureParams): number {
  const { coords, cum } = run;
  const n = coords.length;
  const last = n - 1;
  if (last < 2) return INF;
  const eps = 1e-6;
  let first = -1;
  let lastIn = -1;
  for (let i = 1; i < last; i++) {
    if (cum[i] >= startM - eps && cum[i] <= endM + eps) {
      if (first < 0) first = i;
      lastIn = i;
    }
  }
  if (first < 0) return INF;
  // Project only the vertices the widest chord can reach.
  const reach = Math.max(...p.baseLengthsM);
  let lo = first;
  while (lo > 0 && cum[first] - cum[lo] < reach) lo--;
  let hi = lastIn;
  while (hi < last && cum[hi] - cum[lastIn] < reach) hi++;
  const origin = coords[edgeAt(cum, startM)];
  const frame = new LocalFrame(origin[0], origin[1]);
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  for (let i = lo; i <= hi; i++) {
    xs[i] = frame.x(coords[i][0]);
    ys[i] = frame.y(coords[i][1]);
  }

  let best = INF;
  for (let i = first; i <= lastIn; i++) {
    const turn = turnAt(xs, ys, i);
    if (turn === 0) continue;
    const halfEdges = (cum[i + 1] - cum[i - 1]) / 2;
    let prevJ = -1;
    let prevK = -1;
    for (const b of p.baseLengthsM) {
      let j = i - 1;
      while (j > lo && cum[i] - cum[j] < b) j--;
      let k = i + 1;
      while (k < hi && cum[k] - cum[i] < b) k++;
      if (j === prevJ && k === prevK) continue;
      prevJ = j;
      prevK = k;
      const chord = Math.hypot(xs[k] - xs[j], ys[k] - ys[j]);
      if (chord === 0) continue;
      const side = cross(xs[j], ys[j], xs[i], ys[i], xs[k], ys[k]);
      const sagitta = Math.abs(side) / chord;
      if (sagitta < p.minSagittaM) continue;
      // The circle turns left when B→C turns left of A→B (cross > 0); B must agree, by enough.
      if (Math.sign(side) !== Math.sign(turn)) continue;
      const r = circumradius(xs[j], ys[j], xs[i], ys[i], xs[k], ys[k]);
      if (Math.abs(turn) < p.minTurnShare * (halfEdges / r)) continue;
      if (r < best) best = r;
    }
  }
  return best;
}

/** iRAP-style curvature class from the radius (bands in the configuration). */
export function curvatureClassOf(radiusM: number, config: ScoreConfig): CurvatureClass {
  const c = config.curvature.classes;
  if (radiusM < c.very_sharp.belowRadiusM) return 'very_sharp';
  if (radiusM < c.sharp.belowRadiusM) return 'sharp';
  if (radiusM < c.moderate.belowRadiusM) return 'moderate';
  return 'straight';
}
