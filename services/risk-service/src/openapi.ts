import { RouteDoc, openApiDocument } from '@roadloop/http';
import { READ_ROLES, topQuerySchema, unmatchedQuerySchema } from './segments/segments.controller';

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
  { method: 'get', path: '/v1/reports/unmatched', summary: 'Hazards and crashes that matched no road', roles: READ_ROLES, query: unmatchedQuerySchema, tags: ['reports'] },
];

export const riskOpenApi = () => openApiDocument('Roadloop risk service', '1', RISK_ROUTES);
