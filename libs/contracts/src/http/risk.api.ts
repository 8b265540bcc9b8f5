import { z } from 'zod';
import { hazardTrackingSchema } from '../hazard-tracking';
import { HAZARD_CATEGORIES } from '../topics/hazard-reported.topic';
import { RISK_LEVELS } from '../topics/segment-risk-changed.topic';
import { ApiRoutes, CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE, OPERATIONS_API } from './api-route';
import { anyFeatureCollectionSchema, geometrySchema } from './geojson-responses';

const iso = z.string().describe('ISO 8601 date-time');

/** One term of a score, as the risk model explains it. */
export const factorViewSchema = z.object({
  factor: z.string(),
  value: z.number(),
  detail: z.string().optional(),
  hazardCategory: z.enum(HAZARD_CATEGORIES).optional(),
});
export type RiskFactorView = z.infer<typeof factorViewSchema>;

export const topItemSchema = z.object({
  rank: z.number().int().min(1),
  segmentId: z.string(),
  score: z.number(),
  level: z.enum(RISK_LEVELS).nullable(),
  alarm: z.string().nullable(),
  roadClass: z.string(),
  name: z.string().nullable(),
  jurisdictionId: z.string().nullable(),
  jurisdictionName: z.string().nullable(),
  waterSide: z.string().nullable(),
  cliffSide: z.string().nullable(),
  lengthM: z.number(),
  factors: z.array(factorViewSchema),
});
export type TopItem = z.infer<typeof topItemSchema>;

/** `GET /v1/segments/top` as JSON. */
export const topListSchema = z.object({
  source: z.enum(['redis', 'database']).describe('where the ranking was read: Redis, or PostgreSQL while Redis is rebuilt'),
  filters: z.record(z.string(), z.unknown()),
  items: z.array(topItemSchema),
});
export type TopList = z.infer<typeof topListSchema>;

const designRatingSchema = z.object({ score: z.number(), level: z.string(), stars: z.number().nullable() });

/** `GET /v1/segments/{id}`: what the caller's role may see of a segment (crash records and tasks only for some). */
export const segmentDetailSchema = z.looseObject({
  id: z.string(),
  geometry: geometrySchema.nullable(),
  jurisdictionId: z.string().nullable(),
  jurisdictionName: z.string().nullable(),
  designRating: designRatingSchema.extend({
    range: z
      .object({ unknownSides: z.array(z.string()), protected: designRatingSchema, unprotected: designRatingSchema })
      .nullable(),
  }),
  roadside: z.array(z.looseObject({ side: z.string(), status: z.string(), source: z.string() })),
  risk: z
    .looseObject({ score: z.number(), level: z.enum(RISK_LEVELS), alarm: z.string(), factors: z.array(factorViewSchema), unit: z.string() })
    .nullable(),
  openHazards: z.array(z.looseObject({ id: z.string() })),
  hazards: z.array(z.looseObject({ id: z.string(), status: z.string(), duplicateOf: z.string().nullable() })),
  crashCount: z.number().int().min(0),
  crashes: z.array(z.looseObject({ id: z.string(), externalId: z.string().nullable(), severity: z.string() })).optional(),
  tasks: z.array(z.looseObject({ id: z.string().optional() })).optional(),
  verifiedCountermeasures: z.array(z.looseObject({ taskId: z.string(), countermeasure: z.string() })),
  history: z.array(z.looseObject({ revision: z.number().int() })),
});
export type SegmentDetail = z.infer<typeof segmentDetailSchema>;

/** How the effectiveness numbers are made, returned with them. */
export const effectivenessMethodSchema = z.object({
  name: z.string(),
  description: z.string(),
  minSites: z.number(),
  minExpectedAfter: z.number(),
  minAfterDays: z.number(),
  maxAfterYears: z.number(),
});
export type EffectivenessMethod = z.infer<typeof effectivenessMethodSchema>;

export const effectivenessEstimateSchema = z.object({
  countermeasure: z.string(),
  sites: z.number().int().min(0),
  beforeCrashes: z.number(),
  afterCrashes: z.number(),
  beforeYears: z.number(),
  afterYears: z.number(),
  expectedAfterWithoutTreatment: z.number().nullable(),
  oddsRatio: z.number().nullable(),
  oddsRatioStdErr: z.number().nullable(),
  ci95: z.tuple([z.number(), z.number()]).nullable(),
  effectivenessPct: z.number().nullable(),
  verdict: z.string(),
  note: z.string(),
});
export type EffectivenessEstimate = z.infer<typeof effectivenessEstimateSchema>;

/** `GET /v1/effectiveness` as JSON. */
export const effectivenessSummarySchema = z.object({
  asOf: iso,
  method: effectivenessMethodSchema,
  filters: z.record(z.string(), z.unknown()),
  countermeasures: z.array(effectivenessEstimateSchema),
});
export type EffectivenessSummary = z.infer<typeof effectivenessSummarySchema>;

export const effectivenessSiteSchema = z.object({
  taskId: z.string(),
  segmentId: z.string(),
  countermeasure: z.string(),
  verifiedAt: iso,
  fixFailed: z.boolean(),
  jurisdictionId: z.string().nullable(),
  windowDays: z.number(),
  beforeCrashes: z.number().int().min(0),
  afterCrashes: z.number().int().min(0),
  ebExpectedAfter: z.number().nullable(),
  included: z.boolean().describe('false when verified less than the minimum after period ago (left out of the estimates)'),
});
export type EffectivenessSite = z.infer<typeof effectivenessSiteSchema>;

/** `GET /v1/effectiveness/sites` as JSON. */
export const effectivenessSitesSchema = z.object({
  asOf: iso,
  method: effectivenessMethodSchema,
  filters: z.record(z.string(), z.unknown()),
  sites: z.array(effectivenessSiteSchema),
});
export type EffectivenessSites = z.infer<typeof effectivenessSitesSchema>;

const FORMATS = [CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE];

/** The risk service's routes. */
export const RISK_API = {
  top: {
    method: 'get',
    path: '/v1/segments/top',
    summary:
      'The riskiest segments, filtered by jurisdiction, road class, roadside (water, cliff) and level; JSON, CSV or GeoJSON (Redis ranking and facets, PostGIS fall-back)',
    tags: ['segments'],
    response: topListSchema,
    alternatives: FORMATS,
  },
  segment: {
    method: 'get',
    path: '/v1/segments/{id}',
    summary: 'A segment: geometry, jurisdiction, exposure, live risk with its factors and EB estimate, hazards, crashes, tasks, verified countermeasures, score history',
    tags: ['segments'],
    response: segmentDetailSchema,
  },
  segments: {
    method: 'get',
    path: '/v1/segments',
    summary: 'Segments in a bbox (GeoJSON FeatureCollection, or CSV with format=csv): live risk, water/cliff side, paged by id',
    tags: ['segments'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  segmentsWithin: {
    method: 'post',
    path: '/v1/segments/within',
    summary: 'Segments intersecting (or within) a GeoJSON Polygon/MultiPolygon body, with the bbox filters',
    tags: ['segments'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  hotspots: {
    method: 'get',
    path: '/v1/hotspots',
    summary: 'Sliding-window hotspots along each OSM way, ranked by Empirical Bayes excess crashes (GeoJSON or CSV)',
    tags: ['hotspots'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  unmatched: {
    method: 'get',
    path: '/v1/reports/unmatched',
    summary: 'Hazards and crashes that matched no road (JSON, CSV or GeoJSON Points)',
    tags: ['reports'],
    alternatives: FORMATS,
  },
  hazards: {
    method: 'get',
    path: '/v1/hazards',
    summary:
      'Hazards in a bbox (or everywhere), by status and category, newest first, paged by cursor (GeoJSON Points or CSV; next page in page.nextCursor and x-next-cursor)',
    tags: ['reports'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  hazardsWithin: {
    method: 'post',
    path: '/v1/hazards/within',
    summary: 'Hazards inside a GeoJSON Polygon/MultiPolygon body, with the same filters and paging',
    tags: ['reports'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  hazardStatus: {
    method: 'get',
    path: '/v1/hazards/{id}/status',
    summary: "A report's progress for whoever holds its id (no token); the gateway publishes it as its own route",
    tags: ['reports'],
    response: hazardTrackingSchema,
  },
  accidents: {
    method: 'get',
    path: '/v1/accidents',
    summary: 'Crashes in a bbox (or everywhere) and period, latest first, paged by cursor (GeoJSON Points with casualties, or CSV)',
    tags: ['reports'],
    response: anyFeatureCollectionSchema,
    mediaType: GEOJSON_MEDIA_TYPE,
    alternatives: [CSV_MEDIA_TYPE],
  },
  effectiveness: {
    method: 'get',
    path: '/v1/effectiveness',
    summary: 'Whether verified fixes cut crashes: Empirical Bayes before–after odds ratio, effectiveness and 95 % interval per countermeasure (JSON or CSV)',
    tags: ['effectiveness'],
    response: effectivenessSummarySchema,
    alternatives: [CSV_MEDIA_TYPE],
  },
  effectivenessSites: {
    method: 'get',
    path: '/v1/effectiveness/sites',
    summary: 'Each verified task with its before and after windows, crash counts and EB expected crashes (JSON, CSV or GeoJSON)',
    tags: ['effectiveness'],
    response: effectivenessSitesSchema,
    alternatives: FORMATS,
  },
  ...OPERATIONS_API,
} as const satisfies ApiRoutes;
