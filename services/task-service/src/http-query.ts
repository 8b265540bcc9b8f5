import { z } from 'zod';
import { bboxParam } from '@roadloop/http';

/** Query-string building blocks: each problem is reported under the parameter's own name. */

/** `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, minimum below maximum on both axes (any size). */
export const bboxSchema = bboxParam();

/** A calendar day `YYYY-MM-DD` that exists (no 2026-02-30). */
export const isoDateSchema = z.iso.date({ message: 'expected a day YYYY-MM-DD', abort: true }).refine((d) => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(d);
}, 'not a calendar day');
