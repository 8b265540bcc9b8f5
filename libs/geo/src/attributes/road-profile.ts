/**
 * Elevation of the road surface along a way's run. On the ground it is the terrain under the
 * road. A bridge deck or a tunnel does not follow the terrain, so there the road is taken as a
 * straight grade between the terrain at the structure's two ends (its abutments or portals).
 */
import type { ElevationModel } from '../dem/elevation-model';
import { pointAtOffset } from '../geometry/polyline';
import type { WayRun } from '../segment/segment-way';

export type RoadProfile = (s: number) => number;

export function isBridge(tags: Readonly<Record<string, string>>): boolean {
  const v = tags.bridge;
  return v !== undefined && v !== 'no';
}

export function isTunnel(tags: Readonly<Record<string, string>>): boolean {
  const v = tags.tunnel;
  return v !== undefined && v !== 'no' && v !== 'building_passage';
}

export function roadProfile(run: WayRun, dem: ElevationModel | null): RoadProfile {
  if (!dem) return () => NaN;
  if (isBridge(run.way.tags) || isTunnel(run.way.tags)) {
    const first = run.coords[0];
    const last = run.coords[run.coords.length - 1];
    const z0 = dem.elevationAt(first[0], first[1]);
    const z1 = dem.elevationAt(last[0], last[1]);
    const len = run.lengthM;
    return (s) => z0 + ((z1 - z0) * s) / len;
  }
  return (s) => {
    const [lon, lat] = pointAtOffset(run.coords, run.cum, s);
    return dem.elevationAt(lon, lat);
  };
}
