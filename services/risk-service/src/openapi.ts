import { RouteDoc, openApiDocument } from '@roadloop/http';
import { READ_ROLES, topQuerySchema, unmatchedQuerySchema } from './segments/segments.controller';
import { hotspotsQuerySchema, polygonGeometrySchema, segmentsBboxQuerySchema, segmentsWithinQuerySchema } from './queries/query-schemas';

/** The risk service's routes, described with the schemas that validate them. */
export const RISK_ROUTES: RouteDoc[] = [
  { method: 'get', path: '/v1/segments/top', summary: 'The riskiest segments (Redis ranking, PostGIS fall-back)', roles: READ_ROLES, query: topQuerySchema, tags: ['segments'] },
  {
    method: 'get',
    path: '/v1/segments/{id}',
    summary: 'A segment: exposure, live risk with its factors and EB estimate, hazards, crashes, verified countermeasures, history',
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
  { method: 'get', path: '/v1/reports/unmatched', summary: 'Hazards and crashes that matched no road', roles: READ_ROLES, query: unmatchedQuerySchema, tags: ['reports'] },
];

export const riskOpenApi = () => openApiDocument('Roadloop risk service', '1', RISK_ROUTES);
