import { z } from 'zod';
import { storableString } from '@roadloop/contracts';
import { type LonLat, metricScale, projectOnLine } from '@roadloop/geo';

/** How far a surveyed line may lie from a segment's centre line and still be that segment's roadside, in metres. */
export const INVENTORY_SNAP_TOLERANCE_M = 15;
/** Points along a surveyed line are taken at most this far apart, in metres, to find the part of a segment it runs along. */
const SAMPLE_STEP_M = 2;
/** A line must run along a segment for more than this, in metres, to count: crossing it or touching its end does not. */
const MIN_ALONG_M = 1;

const position = z.tuple([z.number().finite().min(-180).max(180), z.number().finite().min(-90).max(90)]).rest(z.number().finite());
const line = z.array(position).min(2).max(10_000);

/** One surveyed guardrail line: where it stands, what stands there, and optionally which side and when. */
const inventoryFeatureSchema = z.object({
  type: z.literal('Feature'),
  id: z.union([z.string(), z.number()]).optional(),
  geometry: z.discriminatedUnion('type', [
    z.object({ type: z.literal('LineString'), coordinates: line }),
    z.object({ type: z.literal('MultiLineString'), coordinates: z.array(line).min(1).max(1000) }),
  ]),
  properties: z.object({
    status: z.enum(['present', 'absent', 'damaged']),
    side: z.enum(['left', 'right']).optional(),
    observedAt: z.iso.datetime({ offset: true }).optional(),
    source: storableString().max(200).optional(),
  }),
});

export const inventoryFeatureCollectionSchema = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.unknown()).min(1).max(100_000),
});

export type InventoryFeature = z.infer<typeof inventoryFeatureSchema>;

/** A segment a surveyed line may run along: its id, centre line (in its direction) and length. */
export interface NearSegment {
  segmentId: string;
  coordinates: LonLat[];
  lengthM: number;
}

export interface GeoJsonRow {
  segmentId: string;
  side: 'left' | 'right';
  fromM: number;
  toM: number;
  status: 'present' | 'absent' | 'damaged';
  observedAt?: string;
}

export type Problem = { field: string; message: string };

/** Reads the features; each bad one is named by its index (`features.<i>…`). */
export function readInventoryFeatures(features: readonly unknown[]): { features: InventoryFeature[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const read: InventoryFeature[] = [];
  features.forEach((raw, i) => {
    const parsed = inventoryFeatureSchema.safeParse(raw);
    if (parsed.success) read.push(parsed.data);
    else for (const issue of parsed.error.issues) problems.push({ field: `features.${i}.${issue.path.join('.')}`, message: `feature ${i}: ${issue.path.join('.') || 'feature'}: ${issue.message}` });
  });
  return { features: read, problems };
}

/** The lines of a feature, each as a list of positions (elevations dropped). */
export function linesOf(feature: InventoryFeature): LonLat[][] {
  const lines = feature.geometry.type === 'LineString' ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  return lines.map((l) => l.map((p) => [p[0], p[1]] as const));
}

/**
 * A surveyed line as inventory rows: snapped to each segment it runs along within the tolerance
 * (the part of the segment between the nearest points of the line's first and last samples there),
 * on the side the feature names or, without one, the side of the segment's direction the line lies
 * on (most of its samples). Null with the reason when it runs along no segment or its side cannot be told.
 */
export function rowsOfFeature(
  feature: InventoryFeature,
  segments: readonly NearSegment[],
  toleranceM = INVENTORY_SNAP_TOLERANCE_M,
): { rows: GeoJsonRow[] } | { problem: string } {
  const rows: GeoJsonRow[] = [];
  for (const s of segments) {
    const samples = linesOf(feature).flatMap((l) => samplesOf(l, SAMPLE_STEP_M));
    const near = samples.map((p) => ({ p, on: projectOnLine(p, s.coordinates) })).filter((x) => x.on.distanceM <= toleranceM);
    if (!near.length) continue;
    const offsets = near.map((x) => x.on.offsetM);
    const fromM = Math.max(0, Math.min(...offsets));
    const toM = Math.min(s.lengthM, Math.max(...offsets));
    if (toM - fromM <= MIN_ALONG_M) continue;
    let side = feature.properties.side;
    if (!side) {
      let left = 0;
      let right = 0;
      for (const x of near) {
        const sign = sideSign(x.p, x.on.offsetM, s.coordinates);
        if (sign > 0) left++;
        else if (sign < 0) right++;
      }
      if (left === right) return { problem: `its side of ${s.segmentId} cannot be told (it runs on the centre line): give properties.side` };
      side = left > right ? 'left' : 'right';
    }
    rows.push({
      segmentId: s.segmentId,
      side,
      fromM: Math.round(fromM * 10) / 10,
      toM: Math.round(toM * 10) / 10,
      status: feature.properties.status,
      ...(feature.properties.observedAt ? { observedAt: feature.properties.observedAt } : {}),
    });
  }
  return rows.length ? { rows } : { problem: `runs along no segment within ${toleranceM} m` };
}

/** The line's vertices and points between them at most stepM apart. */
function samplesOf(l: readonly LonLat[], stepM: number): LonLat[] {
  const out: LonLat[] = [l[0]];
  for (let i = 1; i < l.length; i++) {
    const [a, b] = [l[i - 1], l[i]];
    const scale = metricScale(a[1]);
    const n = Math.max(1, Math.ceil(Math.hypot((b[0] - a[0]) * scale.kx, (b[1] - a[1]) * scale.ky) / stepM));
    for (let k = 1; k <= n; k++) out.push([a[0] + ((b[0] - a[0]) * k) / n, a[1] + ((b[1] - a[1]) * k) / n]);
  }
  return out;
}

/**
 * Which side of the segment's direction a point lies on: positive left, negative right, 0 on it
 * (within 0.5 m). The sign of the cross product of the segment's edge at the point's offset and the
 * point, in metres east and north.
 */
function sideSign(p: LonLat, offsetM: number, coords: readonly LonLat[]): number {
  const scale = metricScale(p[1]);
  let along = 0;
  for (let i = 1; i < coords.length; i++) {
    const [a, b] = [coords[i - 1], coords[i]];
    const len = Math.hypot((b[0] - a[0]) * scale.kx, (b[1] - a[1]) * scale.ky);
    if (offsetM <= along + len + 1e-6 || i === coords.length - 1) {
      const ux = (b[0] - a[0]) * scale.kx;
      const uy = (b[1] - a[1]) * scale.ky;
      const wx = (p[0] - a[0]) * scale.kx;
      const wy = (p[1] - a[1]) * scale.ky;
      const cross = ux * wy - uy * wx;
      return Math.abs(cross) / (len || 1) < 0.5 ? 0 : Math.sign(cross);
    }
    along += len;
  }
  return 0;
}
