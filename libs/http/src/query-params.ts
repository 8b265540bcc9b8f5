import { z } from 'zod';
import { latSchema, lonSchema } from '@roadloop/contracts';

/** Query-string building blocks shared by the services: each problem is reported under the parameter's own name. */

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/**
 * `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, minimum below maximum on both axes; every problem
 * is reported under `bbox`. With `maxAreaSqDeg`, a larger box is refused too.
 */
export function bboxParam(maxAreaSqDeg = Infinity) {
  return z.string().transform((raw, ctx): Bbox => {
    const parts = raw.split(',').map((p) => p.trim());
    const nums = parts.map((p) => (p === '' ? NaN : Number(p)));
    if (parts.length !== 4 || nums.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: 'expected minLon,minLat,maxLon,maxLat (four numbers)' });
      return z.NEVER;
    }
    const [minLon, minLat, maxLon, maxLat] = nums;
    if (!lonSchema.safeParse(minLon).success || !lonSchema.safeParse(maxLon).success) {
      ctx.addIssue({ code: 'custom', message: 'longitudes must be within [-180, 180]' });
    } else if (!latSchema.safeParse(minLat).success || !latSchema.safeParse(maxLat).success) {
      ctx.addIssue({ code: 'custom', message: 'latitudes must be within [-90, 90]' });
    } else if (!(minLon < maxLon && minLat < maxLat)) {
      ctx.addIssue({ code: 'custom', message: 'minLon must be below maxLon and minLat below maxLat' });
    } else if ((maxLon - minLon) * (maxLat - minLat) > maxAreaSqDeg) {
      ctx.addIssue({ code: 'custom', message: `the box covers more than ${maxAreaSqDeg} square degree(s)` });
    } else {
      return [minLon, minLat, maxLon, maxLat];
    }
    return z.NEVER;
  });
}

/**
 * `a,b,c` of known values, duplicates dropped, in the order given. An unknown value is reported under
 * the parameter's own name, quoting it and listing what is known.
 */
export function enumListParam<const T extends string>(values: readonly T[]) {
  return z.string().transform((raw, ctx): T[] => {
    const items = [...new Set(raw.split(',').map((v) => v.trim()))];
    const unknown = items.filter((v) => !(values as readonly string[]).includes(v));
    if (unknown.length) {
      ctx.addIssue({ code: 'custom', message: `unknown value(s) ${unknown.map((v) => JSON.stringify(v)).join(', ')}; expected one or more of ${values.join(', ')}, comma-separated` });
      return z.NEVER;
    }
    return items as T[];
  });
}
