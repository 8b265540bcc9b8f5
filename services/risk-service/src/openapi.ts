import { RISK_API } from '@roadloop/contracts';
import { describeRoutes, openApiDocument } from '@roadloop/http';
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

const PUBLIC = { roles: [] };

/** The risk service's routes (`RISK_API`) with the schemas that validate their requests and the roles allowed. */
export const RISK_ROUTES = describeRoutes(RISK_API, {
  top: { roles: READ_ROLES, query: topQuerySchema },
  segment: { roles: READ_ROLES },
  segments: { roles: READ_ROLES, query: segmentsBboxQuerySchema },
  segmentsWithin: { roles: READ_ROLES, body: polygonGeometrySchema, query: segmentsWithinQuerySchema },
  hotspots: { roles: READ_ROLES, query: hotspotsQuerySchema },
  unmatched: { roles: UNMATCHED_READ_ROLES, query: unmatchedQuerySchema },
  hazards: { roles: READ_ROLES, query: hazardsQuerySchema },
  hazardsWithin: { roles: READ_ROLES, body: polygonGeometrySchema, query: hazardsWithinQuerySchema },
  hazardStatus: PUBLIC,
  accidents: { roles: ACCIDENT_READ_ROLES, query: accidentsQuerySchema },
  effectiveness: { roles: READ_ROLES, query: effectivenessQuerySchema },
  effectivenessSites: { roles: READ_ROLES, query: effectivenessSitesQuerySchema },
  health: PUBLIC,
  healthReady: PUBLIC,
  healthLive: PUBLIC,
  metrics: PUBLIC,
  openapi: PUBLIC,
});

export const riskOpenApi = () => openApiDocument('Roadloop risk service', '1', RISK_ROUTES);
