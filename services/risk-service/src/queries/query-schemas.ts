import { z } from 'zod';
import { COUNTERMEASURES, HAZARD_CATEGORIES, RISK_LEVELS, latSchema, lonSchema, storableString } from '@roadloop/contracts';
import { Bbox, bboxParam, enumListParam, parseOrThrow } from '@roadloop/http';

/** OSM `highway` values a segment can carry (filter values; other classes are simply never matched). */
export const ROAD_CLASSES = [
  'motorway', 'motorway_link', 'trunk', 'trunk_link', 'primary', 'primary_link', 'secondary', 'secondary_link',
  'tertiary', 'tertiary_link', 'unclassified', 'residential', 'living_street', 'service', 'track', 'road',
] as const;

/** Largest bbox or polygon served at once, in square degrees (about 80 × 111 km at 45° N). */
export const MAX_AREA_SQ_DEG = 1;
export const MAX_SEGMENT_LIMIT = 5000;

const flag = z.enum(['true', 'false']).transform((v) => v === 'true');
const format = z.enum(['geojson', 'csv']).default('geojson');

/** `minLon,minLat,maxLon,maxLat` in WGS 84 degrees, at most {@link MAX_AREA_SQ_DEG}; every problem is reported under `bbox`. */
export const bboxSchema = bboxParam(MAX_AREA_SQ_DEG);

/** Filters and paging shared by the bbox and the polygon queries. */
const segmentFilterShape = {
  level: z.enum(RISK_LEVELS).optional(),
  roadClass: z.enum(ROAD_CLASSES).optional(),
  waterSide: flag.optional(),
  cliffSide: flag.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_SEGMENT_LIMIT).default(500),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** Douglas–Peucker tolerance in metres (in the segment's UTM zone); 0 or absent: full geometry. */
  simplify: z.coerce.number().finite().min(0).max(1000).optional(),
};

export const segmentsBboxQuerySchema = z.object({ bbox: bboxSchema, ...segmentFilterShape, format }).strict();
export type SegmentsBboxQuery = z.infer<typeof segmentsBboxQuerySchema>;

export const segmentsWithinQuerySchema = z
  .object({
    ...segmentFilterShape,
    /** `intersects` (default): every segment touching the polygon; `within`: segments entirely inside. */
    mode: z.enum(['intersects', 'within']).default('intersects'),
    format,
  })
  .strict();
export type SegmentsWithinQuery = z.infer<typeof segmentsWithinQuerySchema>;
export type SegmentFilters = Omit<SegmentsWithinQuery, 'mode' | 'format'> & { bbox?: Bbox; mode?: 'intersects' | 'within' };

const position = z.tuple([lonSchema, latSchema]).rest(z.number().finite());
const ring = z
  .array(position)
  .min(4)
  .max(10_000)
  .refine((r) => r.length < 4 || (r[0][0] === r[r.length - 1][0] && r[0][1] === r[r.length - 1][1]), 'a ring must be closed');
const polygonCoordinates = z.array(ring).min(1).max(100);

export const polygonGeometrySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: polygonCoordinates }).strict(),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(polygonCoordinates).min(1).max(100) }).strict(),
]);
/** The request body of `POST /v1/segments/within` is the geometry itself; problems are named `geometry.…`. */
export const withinBodySchema = z.object({ geometry: polygonGeometrySchema }).strict();
export type PolygonGeometry = z.infer<typeof polygonGeometrySchema>;

/**
 * What network screening needs (HSM Part B, ch. 4: windows of about 0.1–1 mile, stepped by a tenth
 * of a mile; 3–5 years of crashes), and no more: the work grows with the windows per road
 * (length / stepM), so a step shorter than a twentieth of the window is refused.
 */
export const HOTSPOT_BOUNDS = { windowM: [100, 2_000], stepM: [50, 2_000], stepsPerWindow: 20, years: [1, 5], limit: [1, 100] } as const;
const { windowM: W, stepM: S, years: Y, limit: L } = HOTSPOT_BOUNDS;

export const hotspotsQuerySchema = z
  .object({
    windowM: z.coerce.number().finite().min(W[0]).max(W[1]).default(500),
    stepM: z.coerce.number().finite().min(S[0]).max(S[1]).default(100),
    limit: z.coerce.number().int().min(L[0]).max(L[1]).default(20),
    years: z.coerce.number().int().min(Y[0]).max(Y[1]).default(3),
    format,
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.stepM > q.windowM) ctx.addIssue({ code: 'custom', path: ['stepM'], message: 'stepM must not exceed windowM' });
    else if (q.stepM * HOTSPOT_BOUNDS.stepsPerWindow < q.windowM) {
      ctx.addIssue({ code: 'custom', path: ['stepM'], message: `stepM must be at least windowM / ${HOTSPOT_BOUNDS.stepsPerWindow} (${q.windowM / HOTSPOT_BOUNDS.stepsPerWindow} m here)` });
    }
  });
export type HotspotsQuery = z.infer<typeof hotspotsQuerySchema>;

/** An id as other services issue them (jurisdictions, segments). */
const idParam = storableString().trim().min(1).max(100);

/** A segment id in a path (`/v1/segments/:id`), checked like a parameter: 400 naming `id`. */
export const segmentIdOf = (value: unknown): string => parseOrThrow(z.object({ id: idParam }), { id: value }, 'path').id;

export const MAX_TOP_LIMIT = 1000;
export const ROADSIDES = ['water', 'cliff'] as const;

export const topQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(MAX_TOP_LIMIT).default(20),
    jurisdiction: idParam.optional(),
    roadClass: enumListParam(ROAD_CLASSES).optional(),
    /** Beside water, beside a cliff or drop, or either (`water,cliff`). */
    side: enumListParam(ROADSIDES).optional(),
    level: enumListParam(RISK_LEVELS).optional(),
    format: z.enum(['json', 'csv', 'geojson']).default('json'),
  })
  .strict();
export type TopQuery = z.infer<typeof topQuerySchema>;

export const unmatchedQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(50),
    format: z.enum(['json', 'csv', 'geojson']).default('json'),
  })
  .strict();
export type UnmatchedQuery = z.infer<typeof unmatchedQuerySchema>;

/** Keyset paging: the opaque cursor a page returns names the last row it held (time and id). */
export interface PageCursor {
  at: string;
  id: string;
}
export const encodeCursor = (c: PageCursor) => Buffer.from(JSON.stringify([c.at, c.id]), 'utf8').toString('base64url');
const cursorSchema = z
  .string()
  .max(200)
  .transform((raw, ctx): PageCursor => {
    try {
      const [at, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
      if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof id === 'string' && z.uuid().safeParse(id).success) return { at, id };
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'not a cursor this service issued (use page.nextCursor as given)' });
    return z.NEVER;
  });

/** A date (`2026-01-31`, midnight UTC) or an ISO 8601 date-time with its offset. */
const instant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]).transform((s) => new Date(s));

const MAX_REPORT_LIMIT = 5000;
const reportPaging = {
  limit: z.coerce.number().int().min(1).max(MAX_REPORT_LIMIT).default(500),
  cursor: cursorSchema.optional(),
};
export const HAZARD_STATUSES = ['open', 'resolved', 'duplicate'] as const;
const hazardFilterShape = {
  status: enumListParam(HAZARD_STATUSES).optional(),
  category: enumListParam(HAZARD_CATEGORIES).optional(),
  /** Reported at or after / at or before. */
  from: instant.optional(),
  to: instant.optional(),
  ...reportPaging,
  format,
};
const fromNotAfterTo = (q: { from?: Date; to?: Date }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
};

export const hazardsQuerySchema = z.object({ bbox: bboxSchema.optional(), ...hazardFilterShape }).strict().superRefine(fromNotAfterTo);
export const hazardsWithinQuerySchema = z.object(hazardFilterShape).strict().superRefine(fromNotAfterTo);
export type HazardsQuery = z.infer<typeof hazardsQuerySchema>;

export const accidentsQuerySchema = z
  .object({ bbox: bboxSchema.optional(), from: instant.optional(), to: instant.optional(), ...reportPaging, format })
  .strict()
  .superRefine((q, ctx) => {
    if (q.from && q.to && q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'from must not be after to' });
  });
export type AccidentsQuery = z.infer<typeof accidentsQuerySchema>;

const effectivenessFilterShape = {
  countermeasure: enumListParam(COUNTERMEASURES).optional(),
  jurisdiction: idParam.optional(),
  verifiedFrom: instant.optional(),
  verifiedTo: instant.optional(),
};
const verifiedOrder = (q: { verifiedFrom?: Date; verifiedTo?: Date }, ctx: z.RefinementCtx) => {
  if (q.verifiedFrom && q.verifiedTo && q.verifiedFrom > q.verifiedTo) {
    ctx.addIssue({ code: 'custom', path: ['verifiedFrom'], message: 'verifiedFrom must not be after verifiedTo' });
  }
};
export const effectivenessQuerySchema = z
  .object({ ...effectivenessFilterShape, format: z.enum(['json', 'csv']).default('json') })
  .strict()
  .superRefine(verifiedOrder);
export const effectivenessSitesQuerySchema = z
  .object({ ...effectivenessFilterShape, format: z.enum(['json', 'csv', 'geojson']).default('json') })
  .strict()
  .superRefine(verifiedOrder);
export type EffectivenessFilters = z.infer<typeof effectivenessQuerySchema>;
