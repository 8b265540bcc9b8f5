import { z } from 'zod';
import { ROLES } from '@roadloop/auth';
import { GATEWAY_API } from '@roadloop/contracts';
import { describeRoutes, openApiDocument } from '@roadloop/http';
import { accidentInputSchema } from './accidents/accident-input.schema';
import { hazardInputSchema } from './hazards/hazard-input.schema';

const liveQuery = z
  .object({
    access_token: z.string().optional().describe('the JWT, for clients that cannot send an Authorization header (EventSource)'),
  })
  .strict();

const PUBLIC = { roles: [] };

/**
 * The gateway's own routes (`GATEWAY_API`) with the schemas that validate their requests and the
 * roles allowed; the rest of the public API comes from the services it forwards to.
 */
export const GATEWAY_ROUTES = describeRoutes(GATEWAY_API, {
  reportHazard: { roles: [], body: hazardInputSchema },
  hazardStatus: PUBLIC,
  reportAccident: { roles: ['dispatcher', 'admin'], body: accidentInputSchema },
  uploadTaskPhoto: { roles: ['crew'] },
  uploadReportPhoto: PUBLIC,
  // The stream checks the token itself (header or `access_token`): any signed-in role.
  live: { roles: ROLES, query: liveQuery },
  map: PUBLIC,
  riskModel: PUBLIC,
  mapFile: PUBLIC,
  crewApp: PUBLIC,
  crewFile: PUBLIC,
  inspectorApp: PUBLIC,
  inspectorFile: PUBLIC,
  reportPage: PUBLIC,
  reportFile: PUBLIC,
  i18n: PUBLIC,
  open311Services: PUBLIC,
  open311ServicesXml: PUBLIC,
  open311Service: PUBLIC,
  open311Post: PUBLIC,
  open311PostXml: PUBLIC,
  open311Requests: PUBLIC,
  open311RequestsXml: PUBLIC,
  open311Request: PUBLIC,
  asyncapi: PUBLIC,
  topicSchema: PUBLIC,
  health: PUBLIC,
  healthReady: PUBLIC,
  healthLive: PUBLIC,
  metrics: PUBLIC,
  openapi: PUBLIC,
});

export const gatewayOpenApi = () =>
  openApiDocument(
    'Roadloop API',
    '1',
    GATEWAY_ROUTES,
    'Closed-loop rural road risk: report hazards and crashes, see segment risk, dispatch and verify rectification tasks.',
  );
