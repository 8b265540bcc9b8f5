import { z } from 'zod';
import { ROLES } from '@roadloop/auth';
import { RouteDoc, openApiDocument } from '@roadloop/http';
import { accidentInputSchema } from './accidents/accident-input.schema';
import { hazardInputSchema } from './hazards/hazard-input.schema';

const liveQuery = z
  .object({
    access_token: z.string().optional().describe('the JWT, for clients that cannot send an Authorization header (EventSource)'),
  })
  .strict();

/** The gateway's own routes; the rest of the public API comes from the services it forwards to. */
export const GATEWAY_ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/hazards', summary: 'Report a hazard (public)', roles: [], body: hazardInputSchema, status: 202, tags: ['reports'] },
  { method: 'post', path: '/v1/accidents', summary: 'Report a crash (police system or dispatcher)', roles: ['dispatcher', 'admin'], body: accidentInputSchema, status: 202, tags: ['reports'] },
  {
    method: 'get',
    path: '/v1/live',
    summary:
      'Server-Sent Events (text/event-stream): `event: risk` {segmentId, level, previousLevel, score, alarm, revision} and `event: task` ' +
      '{taskId, segmentId, status, crewId, version} as they happen (no replay), `event: status` {live} when the feed starts or stops, ' +
      'a comment line every 15 s. Token by Authorization header or `access_token`. 503 when the process serves too many clients',
    roles: ROLES,
    query: liveQuery,
    tags: ['live'],
  },
  { method: 'get', path: '/map', summary: 'The risk map (HTML page; signs in with a token in `#token=` or a paste box)', roles: [], tags: ['map'] },
  { method: 'get', path: '/map/vendor/{file}', summary: "Leaflet's distribution files used by the map", roles: [], tags: ['map'] },
  {
    method: 'get',
    path: '/map/risk-model.json',
    summary: "The risk model's unit (expected fatal and serious crashes per km per year), level bands and colours, and the design ratings",
    roles: [],
    tags: ['map'],
  },
  { method: 'get', path: '/health', summary: 'Liveness', roles: [], tags: ['operations'] },
  { method: 'get', path: '/openapi.json', summary: 'This document', roles: [], tags: ['operations'] },
];

export const gatewayOpenApi = () =>
  openApiDocument(
    'Roadloop API',
    '1',
    GATEWAY_ROUTES,
    'Closed-loop rural road risk: report hazards and crashes, see segment risk, dispatch and verify rectification tasks.',
  );
