import { RouteDoc, openApiDocument } from '@roadloop/http';
import { ACCIDENT_READ_ROLES, READ_ROLES, UNMATCHED_READ_ROLES } from './segments/segments.controller';
import {
  accidentsQuerySchema,
  effectivenessQuerySchema,
  effectivenessSitesQuerySchema,
  hazardsQuerySchema,
  hazardsWithinQuerySchema,
  hotspotsQuerySchema,
  polygonGeometrySchema,
  segmentsBboxQuerySchema,
  segmentsWithinQuerySchema,
  topQuerySchema,
  unmatchedQuerySchema,
} from './queries/query-schemas';

/** The risk service's routes, described with the schemas that validate them. */
export const RISK_ROUTES: RouteDoc[] = [
  {
    method: 'get',
    path: '/v1/segments/top',
    summary:
      'The riskiest segments, filtered by jurisdiction, road class, roadside (water, cliff) and level; JSON, CSV or GeoJSON (Redis ranking and facets, PostGIS fall-back)',
    roles: READ_ROLES,
    query: topQuerySchema,
    tags: ['segments'],
  },
  {
    method: 'get',
    path: '/v1/segments/{id}',
    summary: 'A segment: geometry, jurisdiction, exposure, live risk with its factors and EB estimate, hazards, crashes, tasks, verified countermeasures, score history',
    roles: READ_ROLES,
    tags: ['segments'],
  },
  {
    method: 'get',
    path: '/v1/segments',
    summary: 'Segments in a bbox (GeoJSON FeatureCollection, or CSV with format=csv): live risk, water/cliff side, paged by id',
    roles: READ_ROLES,
    query: segmentsBboxQuerySchema,
    tags: ['segments'],
  },
  {
    method: 'post',
    path: '/v1/segments/within',
    summary: 'Segments intersecting (or within) a GeoJSON Polygon/MultiPolygon body, with the bbox filters',
    roles: READ_ROLES,
    body: polygonGeometrySchema,
    query: segmentsWithinQuerySchema,
    tags: ['segments'],
  },
  {
    method: 'get',
    path: '/v1/hotspots',
    summary: 'Sliding-window hotspots along each OSM way, ranked by Empirical Bayes excess crashes (GeoJSON or CSV)',
    roles: READ_ROLES,
    query: hotspotsQuerySchema,
    tags: ['hotspots'],
  },
  { method: 'get', path: '/v1/reports/unmatched', summary: 'Hazards and crashes that matched no road (JSON, CSV or GeoJSON Points)', roles: UNMATCHED_READ_ROLES, query: unmatchedQuerySchema, tags: ['reports'] },
  {
    method: 'get',
    path: '/v1/hazards',
    summary: 'Hazards in a bbox (or everywhere), by status and category, newest first, paged by cursor (GeoJSON Points or CSV; next page in page.nextCursor and x-next-cursor)',
    roles: READ_ROLES,
    query: hazardsQuerySchema,
    tags: ['reports'],
  },
  {
    method: 'post',
    path: '/v1/hazards/within',
    summary: 'Hazards inside a GeoJSON Polygon/MultiPolygon body, with the same filters and paging',
    roles: READ_ROLES,
    body: polygonGeometrySchema,
    query: hazardsWithinQuerySchema,
    tags: ['reports'],
  },
  {
    method: 'get',
    path: '/v1/accidents',
    summary: 'Crashes in a bbox (or everywhere) and period, latest first, paged by cursor (GeoJSON Points with casualties, or CSV)',
    roles: ACCIDENT_READ_ROLES,
    query: accidentsQuerySchema,
    tags: ['reports'],
  },
  {
    method: 'get',
    path: '/v1/effectiveness',
    summary: 'Whether verified fixes cut crashes: Empirical Bayes before–after odds ratio, effectiveness and 95 % interval per countermeasure (JSON or CSV)',
    roles: READ_ROLES,
    query: effectivenessQuerySchema,
    tags: ['effectiveness'],
  },
  {
    method: 'get',
    path: '/v1/effectiveness/sites',
    summary: 'Each verified task with its before and after windows, crash counts and EB expected crashes (JSON, CSV or GeoJSON)',
    roles: READ_ROLES,
    query: effectivenessSitesQuerySchema,
    tags: ['effectiveness'],
  },
];

export const riskOpenApi = () => openApiDocument('Roadloop risk service', '1', RISK_ROUTES);
