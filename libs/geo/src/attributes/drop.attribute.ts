/**
 * Drop-off beside the road from the terrain: at each roadside station, the largest fall from
 * the road surface to the terrain sampled perpendicular to the road at the configured lateral
 * distances, per side. A large fall over a short distance is a cliff or steep valley side
 * (iRAP roadside objects "cliff" and "downward slope").
 */
import type { ElevationModel } from '../dem/elevation-model';
import type { RoadProfile } from './road-profile';
import type { SegmentGeometry } from './segment-geometry';

const INF = Number.POSITIVE_INFINITY;

export interface DropResult {
  /** Largest drop on each side over the segment, m (≥ 0); null when the terrain is unknown. */
  leftM: number | null;
  rightM: number | null;
  /** Drop per station, m; NaN where unknown. */
  stationLeft: Float64Array;
  stationRight: Float64Array;
}

export function dropAttributes(geom: SegmentGeometry, dem: ElevationModel | null, profile: RoadProfile, offsetsM: readonly number[]): DropResult {
  const { frame, stations } = geom;
  const stationLeft = new Float64Array(stations.length).fill(NaN);
  const stationRight = new Float64Array(stations.length).fill(NaN);
  let leftM = -INF;
  let rightM = -INF;
  if (dem) {
    for (let k = 0; k < stations.length; k++) {
      const st = stations[k];
      const z0 = profile(st.s);
      if (!Number.isFinite(z0)) continue;
      // Left normal of the direction (tx, ty) is (−ty, tx).
      for (let side = 0; side < 2; side++) {
        const nx = side === 0 ? -st.ty : st.ty;
        const ny = side === 0 ? st.tx : -st.tx;
        let drop = -INF;
        for (const d of offsetsM) {
          const z = dem.elevationAt(frame.lon(st.x + d * nx), frame.lat(st.y + d * ny));
          if (Number.isFinite(z) && z0 - z > drop) drop = z0 - z;
        }
        if (drop === -INF) continue;
        const v = Math.max(0, drop);
        if (side === 0) {
          stationLeft[k] = v;
          if (v > leftM) leftM = v;
        } else {
          stationRight[k] = v;
          if (v > rightM) rightM = v;
        }
      }
    }
  }
  return {
    leftM: leftM === -INF ? null : leftM,
    rightM: rightM === -INF ? null : rightM,
    stationLeft,
    stationRight,
  };
}

/** Severity points for a drop: none below minDropM, rising linearly to full at fullDropM. */
export function dropSeverity(dropM: number, minDropM: number, fullDropM: number, severity: number): number {
  if (!(dropM > minDropM)) return 0;
  if (dropM >= fullDropM) return severity;
  return (severity * (dropM - minDropM)) / (fullDropM - minDropM);
}
