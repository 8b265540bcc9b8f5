import { z } from 'zod';
import { COUNTERMEASURES, TASK_STATUSES } from '../topics/task-changed.topic';
import { ApiRoutes, CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE, OPERATIONS_API } from './api-route';
import { featureSchema } from './geojson-responses';

const iso = z.string().describe('ISO 8601 date-time');

/** A task as the API shows it (the task service's `taskView`). */
export const taskViewSchema = z.object({
  id: z.string(),
  segmentId: z.string(),
  countermeasure: z.enum(COUNTERMEASURES),
  side: z.enum(['left', 'right', 'both']).nullable(),
  status: z.enum(TASK_STATUSES),
  priority: z.enum(['p1', 'p2', 'p3']),
  reason: z.string(),
  rule: z.enum(['risk_level', 'severe_hazard', 'mandatory_protection', 'fatal_crash', 'programme']),
  hazardIds: z.array(z.string()),
  jurisdictionId: z.string().nullable(),
  crewId: z.string().nullable(),
  version: z.number().int().min(1),
  fixFailed: z.boolean(),
  duplicateOf: z.string().nullable(),
  statusReason: z.string().nullable().describe('the reason given with the latest rejection, cancellation, reopening, …'),
  reopenCount: z.number().int().min(0),
  riskLevel: z.string().nullable(),
  riskScore: z.number().nullable(),
  dueAt: iso,
  overdue: z.boolean(),
  queued: z.boolean().describe("waiting in its crew's queue (the crew is at capacity): released in priority order as work completes"),
  escalated: z.boolean(),
  escalatedAt: iso.nullable(),
  acceptedAt: iso.nullable(),
  submittedAt: iso.nullable(),
  verifiedAt: iso.nullable(),
  closedAt: iso.nullable(),
  createdAt: iso,
  updatedAt: iso,
  correlationId: z.string().nullable(),
});
export type TaskView = z.infer<typeof taskViewSchema>;

export const listedTaskSchema = taskViewSchema.extend({
  location: z.object({ lon: z.number(), lat: z.number() }).nullable().describe("the segment's midpoint"),
});
export type ListedTask = z.infer<typeof listedTaskSchema>;

/** `GET /v1/tasks` as JSON. */
export const taskPageSchema = z.object({
  items: z.array(listedTaskSchema),
  nextCursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last one'),
});
export type TaskPage = z.infer<typeof taskPageSchema>;

/** A check of submitted evidence (distance to the segment, photo time, …). */
export const evidenceCheckSchema = z.looseObject({ check: z.string(), passed: z.boolean(), detail: z.string(), photos: z.array(z.string()).optional() });
export type EvidenceCheck = z.infer<typeof evidenceCheckSchema>;

export const photoViewSchema = z.object({
  sha256: z.string(),
  mediaType: z.string(),
  bytes: z.number().int(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  href: z.string(),
  thumbnailHref: z.string().nullable(),
  exif: z.object({ position: z.object({ lon: z.number(), lat: z.number() }).nullable(), takenAt: iso.nullable(), timeZone: z.string().nullable() }),
  uploadedBy: z.string(),
  uploadedAt: iso,
});
export type PhotoView = z.infer<typeof photoViewSchema>;

/** `GET /v1/tasks/{id}`: a task with its audit trail, its evidence and the checks of the latest. */
export const taskDetailSchema = taskViewSchema.extend({
  checks: z.array(evidenceCheckSchema),
  photos: z.array(photoViewSchema),
  evidence: z.array(
    z.looseObject({
      id: z.string(),
      crewId: z.string().nullable(),
      submittedBy: z.string(),
      photos: z.array(z.looseObject({ sha256: z.string(), uploaded: z.boolean() })),
      position: z.object({ lon: z.number(), lat: z.number(), accuracyM: z.number() }),
      capturedAt: iso,
      notes: z.string().nullable(),
      checks: z.array(evidenceCheckSchema),
      submittedAt: iso,
    }),
  ),
  history: z.array(
    z.looseObject({
      version: z.number().int(),
      change: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string(),
      actor: z.object({ role: z.string(), id: z.string() }).describe("who made the change (role `system` for the service's own)"),
      reason: z.string().nullable(),
      details: z.unknown().optional(),
      eventId: z.string().nullable(),
      occurredAt: iso,
    }),
  ),
});
export type TaskDetail = z.infer<typeof taskDetailSchema>;

/** `GET /v1/tasks/{id}/stretch`: the stretch a task covers, one MultiLineString with its members. */
export const taskStretchSchema = featureSchema(z.looseObject({ members: z.array(z.looseObject({ segmentId: z.string() })) }));
export type TaskStretch = z.infer<typeof taskStretchSchema>;

const task = (action: string) => `/v1/tasks/{id}/${action}`;
const command = (action: string, summary: string) => ({ method: 'post', path: task(action), summary, tags: ['tasks'], response: taskViewSchema }) as const;
const photoMediaType = 'image/*';

/** The task service's routes. */
export const TASK_API = {
  listTasks: {
    method: 'get',
    path: '/v1/tasks',
    summary: "List tasks as JSON (`{ items, nextCursor }`), CSV or GeoJSON Points at segment midpoints (a crew sees its own crew's)",
    tags: ['tasks'],
    response: taskPageSchema,
    alternatives: [CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE],
  },
  task: { method: 'get', path: '/v1/tasks/{id}', summary: 'A task with its history, evidence and checks', tags: ['tasks'], response: taskDetailSchema },
  assign: command('assign', 'Assign or reassign to a crew'),
  accept: command('accept', 'The crew accepts'),
  start: command('start', 'The crew starts work'),
  submit: command('submit', 'Submit completion evidence (checked automatically)'),
  verify: command('verify', 'Verify the fix'),
  reject: command('reject', 'Reject the fix with a reason'),
  cancel: command('cancel', 'Cancel'),
  duplicate: command('duplicate', 'Mark as a duplicate of another task'),
  unableToFix: command('unable-to-fix', 'Declare unable to fix'),
  reopen: command('reopen', 'Reopen a verified task'),
  survey: { method: 'post', path: task('survey'), summary: 'The crew records what its survey of the stretch found, per side', tags: ['roadside'] },
  stretch: {
    method: 'get',
    path: task('stretch'),
    summary: 'The stretch a task covers, as a GeoJSON Feature (a MultiLineString with its member segments)',
    tags: ['roadside'],
    response: taskStretchSchema,
  },
  importInventory: {
    method: 'post',
    path: '/v1/roadside/inventory',
    summary:
      'Import surveyed guardrails, all or nothing: `{rows}`, `{csv}` or a GeoJSON FeatureCollection of lines (application/geo+json) snapped to the segments they run along',
    tags: ['roadside'],
  },
  inventory: {
    method: 'get',
    path: '/v1/roadside/inventory',
    summary: "What is known of a segment's sides (`segmentId`; no row: nothing beyond OpenStreetMap)",
    tags: ['roadside'],
    response: z.object({ segmentId: z.string(), sides: z.array(z.looseObject({ side: z.string(), status: z.string() })) }),
  },
  uploadPhoto: {
    method: 'put',
    path: '/v1/tasks/{id}/photos/{sha256}',
    summary:
      'Upload a photo of the fix: the body is the image itself (JPEG, PNG, HEIC or WebP, at most PHOTO_MAX_BYTES), the path its SHA-256, which the server checks; 201 the first time, 200 for the same photo again',
    tags: ['photos'],
    status: 201,
    response: photoViewSchema,
  },
  photos: {
    method: 'get',
    path: '/v1/tasks/{id}/photos',
    summary: 'The photos uploaded to a task, with their EXIF position and time',
    tags: ['photos'],
    response: z.array(photoViewSchema),
  },
  photo: { method: 'get', path: '/v1/tasks/{id}/photos/{sha256}', summary: "A photo's bytes (whoever may see the task)", tags: ['photos'], mediaType: photoMediaType },
  photoThumbnail: {
    method: 'get',
    path: '/v1/tasks/{id}/photos/{sha256}/thumbnail',
    summary: "A photo's JPEG thumbnail (none for HEIC)",
    tags: ['photos'],
    mediaType: 'image/jpeg',
  },
  storeReportPhoto: {
    method: 'put',
    path: '/v1/report-photos/{sha256}',
    summary: "Store a photo sent with a villager's report (the gateway's upload passes it on)",
    tags: ['photos'],
    status: 201,
  },
  reportPhoto: {
    method: 'get',
    path: '/v1/report-photos/{sha256}',
    summary: "A photo sent with a villager's report (its bytes; the upload is the gateway's PUT)",
    tags: ['photos'],
    mediaType: photoMediaType,
  },
  reportPhotoThumbnail: {
    method: 'get',
    path: '/v1/report-photos/{sha256}/thumbnail',
    summary: "A report photo's JPEG thumbnail (none for HEIC)",
    tags: ['photos'],
    mediaType: 'image/jpeg',
  },
  inspections: {
    method: 'get',
    path: '/v1/inspections',
    summary: "The inspector's queue: submitted tasks, oldest first, with their latest evidence, photos, checks and the risk when opened",
    tags: ['inspections'],
  },
  putJurisdiction: { method: 'put', path: '/v1/jurisdictions/{id}', summary: 'Create or replace a jurisdiction (township)', tags: ['jurisdictions'] },
  jurisdictions: { method: 'get', path: '/v1/jurisdictions', summary: 'Jurisdictions with their red / yellow / green status', tags: ['jurisdictions'] },
  jurisdiction: { method: 'get', path: '/v1/jurisdictions/{id}', summary: 'One jurisdiction', tags: ['jurisdictions'] },
  dailyIndex: {
    method: 'get',
    path: '/v1/jurisdictions/index',
    summary:
      'The daily index of every jurisdiction (0–100, higher is worse; bands green/blue/yellow/orange/red) with its indicators and the red / yellow / green status, as JSON, CSV or GeoJSON outlines',
    tags: ['jurisdictions'],
    alternatives: [CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE],
  },
  indexHistory: {
    method: 'get',
    path: '/v1/jurisdictions/{id}/index/history',
    summary: "A jurisdiction's daily index, one row per day (past days frozen; days before the first stored one rebuilt from timestamped facts)",
    tags: ['jurisdictions'],
    alternatives: [CSV_MEDIA_TYPE],
  },
  jurisdictionStatus: {
    method: 'get',
    path: '/v1/jurisdictions/{id}/status',
    summary: "A jurisdiction's status from its overdue and soon-due tasks",
    tags: ['jurisdictions'],
  },
  createProgramme: {
    method: 'post',
    path: '/v1/programmes',
    summary:
      'Compute a draft programme for a budget and a year: the countermeasures on stretches that prevent the most fatal and serious crashes within the budget (HiGHS MILP), with the greedy and naive plans beside it',
    tags: ['programmes'],
    status: 201,
  },
  programmes: {
    method: 'get',
    path: '/v1/programmes',
    summary: 'Programmes newest first (`{ items }`): year, budget, status, cost, FSI prevented and item count of each, without the items',
    tags: ['programmes'],
  },
  programme: {
    method: 'get',
    path: '/v1/programmes/{id}',
    summary: 'A programme and its items as JSON, a CSV table or a GeoJSON map layer (one MultiLineString per item)',
    tags: ['programmes'],
    alternatives: [CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE],
  },
  approveProgramme: {
    method: 'post',
    path: '/v1/programmes/{id}/approve',
    summary:
      'Approve a draft: each item becomes a works task carrying its stretch, given to its crew through the capacity queue (released best benefit–cost first as slots free)',
    tags: ['programmes'],
  },
  putCrew: { method: 'put', path: '/v1/crews/{id}', summary: 'Create or replace a road crew', tags: ['crews'] },
  crews: { method: 'get', path: '/v1/crews', summary: 'Crews with their open workload', tags: ['crews'] },
  ...OPERATIONS_API,
} as const satisfies ApiRoutes;
