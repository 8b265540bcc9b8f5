import { z } from 'zod';
import { bboxParam } from '@roadloop/http';

/** Query-string building blocks: each problem is reported under the parameter's own name. */

/** `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, minimum below maximum on both axes (any size). */
export const bboxSchema = bboxParam();

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
