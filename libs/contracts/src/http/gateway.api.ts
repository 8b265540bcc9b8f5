import { z } from 'zod';
import { ApiRoutes, HTML_MEDIA_TYPE, OPERATIONS_API } from './api-route';
import { hazardTrackingSchema } from '../hazard-tracking';
import { photoViewSchema } from './task.api';

/** `POST /v1/hazards`: the report is accepted and published; its id is the reporter's tracking code. */
export const hazardAcceptedSchema = z.object({ eventId: z.string(), hazardId: z.string(), correlationId: z.string() });
export type HazardAccepted = z.infer<typeof hazardAcceptedSchema>;

/** `POST /v1/accidents`: the crash is accepted and published. */
export const accidentAcceptedSchema = z.object({ eventId: z.string(), accidentId: z.string(), correlationId: z.string() });
export type AccidentAccepted = z.infer<typeof accidentAcceptedSchema>;

/** `PUT /v1/report-photos/{sha256}`: where the stored photo is, to send in the report's `photoUrls`. */
export const reportPhotoStoredSchema = z.looseObject({ url: z.string() });
export type ReportPhotoStored = z.infer<typeof reportPhotoStoredSchema>;

const XML_MEDIA_TYPE = 'application/xml';
const page = (path: string, summary: string, tags: readonly string[]) => ({ method: 'get', path, summary, tags, mediaType: HTML_MEDIA_TYPE }) as const;

/**
 * The gateway's own routes. The rest of the public API is the risk and task services' routes under
 * `/v1/`, which the gateway forwards (see the services' route lists).
 */
export const GATEWAY_API = {
  reportHazard: {
    method: 'post',
    path: '/v1/hazards',
    summary: 'Report a hazard (public; anonymous reports are limited per client address)',
    tags: ['reports'],
    status: 202,
    response: hazardAcceptedSchema,
  },
  hazardStatus: {
    method: 'get',
    path: '/v1/hazards/{id}/status',
    summary: "A report's progress for whoever holds its id (the tracking code; no token): stage received, matched, linked or fixed, its road and its task's state",
    tags: ['reports'],
    response: hazardTrackingSchema,
  },
  reportAccident: {
    method: 'post',
    path: '/v1/accidents',
    summary: 'Report a crash (police system or dispatcher)',
    tags: ['reports'],
    status: 202,
    response: accidentAcceptedSchema,
  },
  uploadTaskPhoto: {
    method: 'put',
    path: '/v1/tasks/{id}/photos/{sha256}',
    summary:
      'Upload a photo of the fix: the body is the image itself (JPEG, PNG, HEIC or WebP, at most PHOTO_MAX_BYTES), the path its SHA-256, which the server checks; 201 the first time, 200 for the same photo again',
    tags: ['photos'],
    status: 201,
    response: photoViewSchema,
  },
  uploadReportPhoto: {
    method: 'put',
    path: '/v1/report-photos/{sha256}',
    summary:
      "Upload a photo for a villager's report (no token): the body is the image itself (JPEG, PNG, HEIC or WebP, at most PHOTO_MAX_BYTES), the path its SHA-256, which the server checks; " +
      "201 (200 for the same photo again) with `url`, to send in the report's `photoUrls`; limited per client address (REPORT_PHOTO_RATE_LIMIT per REPORT_PHOTO_RATE_WINDOW_S, 429 with Retry-After). " +
      'Refusals: 413 PHOTO_TOO_LARGE, 415 PHOTO_TYPE_UNSUPPORTED / PHOTO_TYPE_MISMATCH, 400 PHOTO_TRUNCATED, PHOTO_HASH_MISMATCH, PHOTO_UNREADABLE, PHOTO_EMPTY. Staff read it back with GET',
    tags: ['reports'],
    status: 201,
    response: reportPhotoStoredSchema,
  },
  live: {
    method: 'get',
    path: '/v1/live',
    summary:
      'Server-Sent Events (text/event-stream): `event: risk` {segmentId, level, previousLevel, score, alarm, revision} and `event: task` ' +
      '{taskId, segmentId, status, crewId, version} as they happen (no replay), `event: status` {live} when the feed starts or stops, ' +
      'a comment line every 15 s. Token by Authorization header or `access_token`. 503 when the process serves too many clients',
    tags: ['live'],
    mediaType: 'text/event-stream',
  },
  map: page('/map', 'The risk map (HTML page; signs in with a token in `#token=` or a paste box)', ['map']),
  riskModel: {
    method: 'get',
    path: '/map/risk-model.json',
    summary: "The risk model's unit (expected fatal and serious crashes per km per year), level bands and colours, and the design ratings",
    tags: ['map'],
    response: z.looseObject({ unit: z.looseObject({ long: z.string() }), levels: z.array(z.looseObject({ id: z.string() })) }),
  },
  mapFile: { method: 'get', path: '/map/{path}', summary: "The map's scripts and styles, and Leaflet's distribution files under `vendor/`", tags: ['map'], mediaType: '*/*' },
  crewApp: page('/crew', "The road crew's app (HTML, installable, works offline; signs in with a crew token); `/crew` redirects to `/crew/`", ['field']),
  crewFile: { method: 'get', path: '/crew/{path}', summary: "The crew app's files (its page at `/crew/`, scripts, service worker, manifest)", tags: ['field'], mediaType: '*/*' },
  inspectorApp: page('/inspector', "The inspector's queue of submitted work (HTML; signs in with a token); `/inspector` redirects to `/inspector/`", ['field']),
  inspectorFile: { method: 'get', path: '/inspector/{path}', summary: "The inspector app's files (its page at `/inspector/`)", tags: ['field'], mediaType: '*/*' },
  reportPage: page('/report', "The villagers' reporting page (HTML, no account)", ['report']),
  reportFile: { method: 'get', path: '/report/{path}', summary: "The reporting page's files; `/report/track#code=…` follows a report", tags: ['report'], mediaType: '*/*' },
  i18n: {
    method: 'get',
    path: '/i18n/{path}',
    summary: "The pages' language module (`i18n.js`) and catalogues (`<app>.en.json`, `<app>.zh-CN.json`)",
    tags: ['report'],
    mediaType: '*/*',
  },
  open311Services: { method: 'get', path: '/open311/v2/services.json', summary: 'Open311 GeoReport v2: the hazard categories as services', tags: ['open311'], alternatives: [XML_MEDIA_TYPE] },
  open311ServicesXml: { method: 'get', path: '/open311/v2/services.xml', summary: 'Open311: the services, as XML', tags: ['open311'], mediaType: XML_MEDIA_TYPE },
  open311Service: {
    method: 'get',
    path: '/open311/v2/services/{file}',
    summary: 'Open311: a service definition with its attribute `severity`; `file` = `<code>.json` or `<code>.xml`',
    tags: ['open311'],
    alternatives: [XML_MEDIA_TYPE],
  },
  open311Post: {
    method: 'post',
    path: '/open311/v2/requests.json',
    summary:
      'Open311: a service request, form-encoded (service_code, lat, long, description, media_url, attribute[severity], jurisdiction_id, …), published as a hazard; ' +
      '`api_key` is a Roadloop token, without one the post is anonymous and limited per address with POST /v1/hazards',
    tags: ['open311'],
    status: 201,
  },
  open311PostXml: { method: 'post', path: '/open311/v2/requests.xml', summary: 'Open311: a service request, answered as XML', tags: ['open311'], status: 201, mediaType: XML_MEDIA_TYPE },
  open311Requests: {
    method: 'get',
    path: '/open311/v2/requests.json',
    summary: "Open311: requests by `service_request_id` (anyone) or, with a reader's token, by service_code, status, start_date, end_date",
    tags: ['open311'],
  },
  open311RequestsXml: { method: 'get', path: '/open311/v2/requests.xml', summary: 'Open311: requests, as XML', tags: ['open311'], mediaType: XML_MEDIA_TYPE },
  open311Request: {
    method: 'get',
    path: '/open311/v2/requests/{file}',
    summary: 'Open311: one request, open or closed from its hazard and its task; `file` = `<id>.json` or `<id>.xml`',
    tags: ['open311'],
    alternatives: [XML_MEDIA_TYPE],
  },
  asyncapi: { method: 'get', path: '/asyncapi.json', summary: 'The Kafka topics for producers: AsyncAPI 3.0, generated from the contracts', tags: ['operations'] },
  topicSchema: {
    method: 'get',
    path: '/schemas/{file}',
    summary: "A topic's message as JSON Schema, `file` = `<topic>.json` (e.g. `roadloop.accident.reported.v1.json`)",
    tags: ['operations'],
  },
  ...OPERATIONS_API,
} as const satisfies ApiRoutes;
