import { RISK_MODEL, ebExpected, ebWeight, overdispersion } from '@roadloop/geo';

/**
 * Network screening by sliding window (HSM Part B, ch. 4 "Network Screening", sliding-window
 * method; Empirical Bayes per ch. 4 / Part C appendix A, eq. A-4 and A-5):
 *
 *   For each OSM way, its segments in piece order are laid end to end (cumulative length). A
 *   window of `windowM` slides from 0 by `stepM`; it covers every segment it overlaps, and is
 *   snapped to those segments' ends (crashes are only known per segment, so predicted and observed
 *   are taken over the same road). Windows covering the same segments are reported once.
 *
 *   predicted P = Σ_i N_i · L_i[km] · years   (N_i: the risk model's predicted crashes per km-year of
 *                 segment i, SPF × CMFs × C, HSM Part C)
 *   k           = 0.236 / L_window[mi]         (HSM Eq. 10-7: overdispersion is per unit length)
 *   w           = 1 / (1 + k · P)
 *   expected    = w · P + (1 − w) · O           (O: crashes observed in the period, undecayed)
 *   excess      = expected − P                  (potential for safety improvement, crashes)
 *   excessEpdo  = w · P · m + (1 − w) · O_epdo − P · m   (m: mean EPDO of a predicted crash)
 *
 * Pure: the same ordered pieces always give the same windows.
 */
export interface WayPiece {
  segmentId: string;
  lengthM: number;
  /** The risk model's predicted crashes per km-year of the segment (predictSegment). */
  predictedPerKmYear: number;
  crashes: number;
  crashEpdo: number;
}

export interface HotspotWindow {
  fromM: number;
  toM: number;
  segmentIds: string[];
  observed: number;
  observedEpdo: number;
  predicted: number;
  weight: number;
  expected: number;
  excess: number;
  excessEpdo: number;
}

/** A segment's predicted crashes over `years`. */
export function predictedCrashes(predictedPerKmYear: number, lengthM: number, years: number): number {
  return (Math.max(predictedPerKmYear, 0) * Math.max(lengthM, 0) * years) / 1000;
}

export function slidingWindows(pieces: readonly WayPiece[], windowM: number, stepM: number, years: number): HotspotWindow[] {
  if (!pieces.length || !(windowM > 0) || !(stepM > 0)) return [];
  const starts: number[] = [];
  let acc = 0;
  for (const p of pieces) {
    starts.push(acc);
    acc += p.lengthM;
  }
  const total = acc;
  const out: HotspotWindow[] = [];
  const seen = new Set<string>();
  for (let k = 0; ; k++) {
    const from = k * stepM;
    const to = Math.min(from + windowM, total);
    // Pieces with a positive overlap with [from, to); a zero-length way still yields its one window.
    const covered: number[] = [];
    pieces.forEach((p, i) => {
      const a = starts[i];
      const b = a + p.lengthM;
      if ((b > from && a < to) || (total === 0 && k === 0)) covered.push(i);
    });
    if (covered.length) {
      const key = `${covered[0]}-${covered[covered.length - 1]}`;
      if (!seen.has(key)) {
        seen.add(key);
        const first = covered[0];
        const last = covered[covered.length - 1];
        const fromM = starts[first];
        const toM = starts[last] + pieces[last].lengthM;
        let predicted = 0;
        let observed = 0;
        let observedEpdo = 0;
        for (const i of covered) {
          predicted += predictedCrashes(pieces[i].predictedPerKmYear, pieces[i].lengthM, years);
          observed += pieces[i].crashes;
          observedEpdo += pieces[i].crashEpdo;
        }
        const weight = ebWeight(overdispersion(toM - fromM), predicted);
        const expected = ebExpected(predicted, observed, weight);
        const m = RISK_MODEL.epdo.meanPerPredictedCrash;
        out.push({
          fromM: round(fromM, 2),
          toM: round(toM, 2),
          segmentIds: covered.map((i) => pieces[i].segmentId),
          observed,
          observedEpdo,
          predicted: round(predicted),
          weight: round(weight),
          expected: round(expected),
          excess: round(expected - predicted),
          excessEpdo: round(weight * predicted * m + (1 - weight) * observedEpdo - predicted * m),
        });
      }
    }
    if (to >= total) break;
  }
  return out;
}

/** Highest excess first; ties by excess EPDO, then by position, for a stable order. */
export function rankWindows<T extends HotspotWindow & { osmWayId: number }>(windows: T[]): T[] {
  return [...windows].sort(
    (a, b) => b.excess - a.excess || b.excessEpdo - a.excessEpdo || a.osmWayId - b.osmWayId || a.fromM - b.fromM,
  );
}

function round(x: number, digits = 6): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
