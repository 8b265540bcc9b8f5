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
  {
    method: 'put',
    path: '/v1/report-photos/{sha256}',
    summary:
      'Upload a photo for a villager\'s report (no token): the body is the image itself (JPEG, PNG, HEIC or WebP, at most PHOTO_MAX_BYTES), the path its SHA-256, which the server checks; ' +
      '201 (200 for the same photo again) with `url`, to send in the report\'s `photoUrls`; limited per client address (REPORT_PHOTO_RATE_LIMIT per REPORT_PHOTO_RATE_WINDOW_S, 429 with Retry-After). ' +
      'Refusals: 413 PHOTO_TOO_LARGE, 415 PHOTO_TYPE_UNSUPPORTED / PHOTO_TYPE_MISMATCH, 400 PHOTO_TRUNCATED, PHOTO_HASH_MISMATCH, PHOTO_UNREADABLE, PHOTO_EMPTY. Staff read it back with GET',
    roles: [],
    status: 201,
    tags: ['reports'],
  },
  {
    method: 'get',
    path: '/v1/hazards/{id}/status',
    summary: "A report's progress for whoever holds its id (the tracking code; no token): stage received, matched, linked or fixed, its road and its task's state",
    roles: [],
    tags: ['reports'],
  },
  { method: 'get', path: '/crew/', summary: "The road crew's app (HTML, installable, works offline; signs in with a crew token)", roles: [], tags: ['field'] },
  { method: 'get', path: '/inspector/', summary: "The inspector's queue of submitted work (HTML; signs in with a token)", roles: [], tags: ['field'] },
  { method: 'get', path: '/report', summary: "The villagers' reporting page (HTML, no account); `/report/track#code=…` follows a report", roles: [], tags: ['report'] },
  { method: 'get', path: '/i18n/{file}', summary: 'The pages\' language module (`i18n.js`) and catalogues (`<app>.en.json`, `<app>.zh-CN.json`)', roles: [], tags: ['report'] },
  { method: 'get', path: '/open311/v2/services.json', summary: 'Open311 GeoReport v2: the hazard categories as services (`.xml` too)', roles: [], tags: ['open311'] },
  { method: 'get', path: '/open311/v2/services/{code}.json', summary: 'Open311: a service definition, its attribute `severity` (`.xml` too)', roles: [], tags: ['open311'] },
  {
    method: 'post',
    path: '/open311/v2/requests.json',
    summary:
      'Open311: a service request, form-encoded (service_code, lat, long, description, media_url, attribute[severity], jurisdiction_id, …), published as a hazard; ' +
      '`api_key` is a Roadloop token, without one the post is anonymous and limited per address with POST /v1/hazards (`.xml` too)',
    roles: [],
    status: 201,
    tags: ['open311'],
  },
  {
    method: 'get',
    path: '/open311/v2/requests.json',
    summary: 'Open311: requests by `service_request_id` (anyone) or, with a reader\'s token, by service_code, status, start_date, end_date (`.xml` too)',
    roles: [],
    tags: ['open311'],
  },
  { method: 'get', path: '/open311/v2/requests/{id}.json', summary: 'Open311: one request, open or closed from its hazard and its task (`.xml` too)', roles: [], tags: ['open311'] },
  { method: 'get', path: '/health', summary: 'Liveness', roles: [], tags: ['operations'] },
  { method: 'get', path: '/openapi.json', summary: 'This document', roles: [], tags: ['operations'] },
  { method: 'get', path: '/asyncapi.json', summary: 'The Kafka topics for producers: AsyncAPI 3.0, generated from the contracts', roles: [], tags: ['operations'] },
  { method: 'get', path: '/schemas/{file}', summary: "A topic's message as JSON Schema, `file` = `<topic>.json` (e.g. `roadloop.accident.reported.v1.json`)", roles: [], tags: ['operations'] },
];

export const gatewayOpenApi = () =>
  openApiDocument(
    'Roadloop API',
    '1',
    GATEWAY_ROUTES,
    'Closed-loop rural road risk: report hazards and crashes, see segment risk, dispatch and verify rectification tasks.',
  );
