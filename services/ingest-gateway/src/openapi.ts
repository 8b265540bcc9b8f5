import { RouteDoc, openApiDocument } from '@roadloop/http';
import { accidentInputSchema } from './accidents/accident-input.schema';
import { hazardInputSchema } from './hazards/hazard-input.schema';

/** The gateway's own routes; the rest of the public API comes from the services it forwards to. */
export const GATEWAY_ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/hazards', summary: 'Report a hazard (public)', roles: [], body: hazardInputSchema, status: 202, tags: ['reports'] },
  { method: 'post', path: '/v1/accidents', summary: 'Report a crash (police system or dispatcher)', roles: ['dispatcher', 'admin'], body: accidentInputSchema, status: 202, tags: ['reports'] },
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
