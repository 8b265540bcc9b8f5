import { z } from 'zod';
import { latSchema, lonSchema } from '@roadloop/contracts';

/** Query-string building blocks: each problem is reported under the parameter's own name. */

export type Bbox = [minLon: number, minLat: number, maxLon: number, maxLat: number];

/** `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, minimum below maximum on both axes. */
export const bboxSchema = z.string().transform((raw, ctx): Bbox => {
  const parts = raw.split(',').map((p) => p.trim());
  const nums = parts.map((p) => (p === '' ? NaN : Number(p)));
  if (parts.length !== 4 || nums.some((n) => !Number.isFinite(n))) {
    ctx.addIssue({ code: 'custom', message: 'expected minLon,minLat,maxLon,maxLat (four numbers)' });
    return z.NEVER;
  }
  const [minLon, minLat, maxLon, maxLat] = nums;
  if (![minLon, maxLon].every((n) => lonSchema.safeParse(n).success) || ![minLat, maxLat].every((n) => latSchema.safeParse(n).success)) {
    ctx.addIssue({ code: 'custom', message: 'longitudes must be within [-180, 180] and latitudes within [-90, 90]' });
    return z.NEVER;
  }
  if (!(minLon < maxLon && minLat < maxLat)) {
    ctx.addIssue({ code: 'custom', message: 'minLon must be below maxLon and minLat below maxLat' });
    return z.NEVER;
  }
  return [minLon, minLat, maxLon, maxLat];
});

/** A comma-separated list of known values (`a,b`), duplicates dropped; an unknown one is a 400 naming the parameter. */
export function csvEnum<const T extends readonly string[]>(values: T) {
  return z.string().transform((raw, ctx): T[number][] => {
    const items = [...new Set(raw.split(',').map((v) => v.trim()))];
    const unknown = items.filter((v) => !values.includes(v));
    if (unknown.length) {
      ctx.addIssue({ code: 'custom', message: `unknown value(s) ${unknown.map((v) => JSON.stringify(v)).join(', ')}; expected ${values.join(', ')}` });
      return z.NEVER;
    }
    return items;
  });
}

/** A calendar day `YYYY-MM-DD` that exists (no 2026-02-30). */
export const isoDateSchema = z.iso.date({ message: 'expected a day YYYY-MM-DD', abort: true }).refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
}, 'not a calendar day');
