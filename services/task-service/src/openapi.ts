import { z } from 'zod';
import { ROLES } from '@roadloop/auth';
import { RouteDoc, openApiDocument } from '@roadloop/http';
import { historyQueryObject, indexQueryObject } from './jurisdictions/daily-index.schema';
import { putCrewSchema, putJurisdictionSchema, refIdSchema } from './jurisdictions/jurisdiction.schema';
import { INSPECTION_ROLES, inspectionQuerySchema } from './inspections/inspections.controller';
import { REPORT_PHOTO_ROLES } from './photos/report-photos.controller';
import { PROGRAMME_ROLES } from './programmes/programmes.controller';
import { createProgrammeSchema, listProgrammesQuerySchema, programmeQuerySchema } from './programmes/programme.schema';
import { COMMAND_ROLES } from './tasks/task-command.service';
import {
  assignSchema,
  duplicateSchema,
  listQueryObject,
  reasonSchema,
  reopenSchema,
  submitSchema,
  verifySchema,
  versionOnlySchema,
} from './tasks/task-http.schema';

const task = (action: string) => `/v1/tasks/{id}/${action}`;

/** The task service's routes, described with the schemas that validate them. */
export const TASK_ROUTES: RouteDoc[] = [
  { method: 'get', path: '/v1/tasks', summary: 'List tasks as JSON (`{ items, nextCursor }`), CSV or GeoJSON Points at segment midpoints (a crew sees its own crew\'s)', roles: ROLES, query: listQueryObject, tags: ['tasks'] },
  { method: 'get', path: '/v1/tasks/{id}', summary: 'A task with its history, evidence and checks', roles: ROLES, tags: ['tasks'] },
  { method: 'post', path: task('assign'), summary: 'Assign or reassign to a crew', roles: COMMAND_ROLES.assign, body: assignSchema, tags: ['tasks'] },
  { method: 'post', path: task('accept'), summary: 'The crew accepts', roles: COMMAND_ROLES.accept, body: versionOnlySchema, tags: ['tasks'] },
  { method: 'post', path: task('start'), summary: 'The crew starts work', roles: COMMAND_ROLES.start, body: versionOnlySchema, tags: ['tasks'] },
  { method: 'post', path: task('submit'), summary: 'Submit completion evidence (checked automatically)', roles: COMMAND_ROLES.submit, body: submitSchema, tags: ['tasks'] },
  { method: 'post', path: task('verify'), summary: 'Verify the fix', roles: COMMAND_ROLES.verify, body: verifySchema, tags: ['tasks'] },
  { method: 'post', path: task('reject'), summary: 'Reject the fix with a reason', roles: COMMAND_ROLES.reject, body: reasonSchema, tags: ['tasks'] },
  { method: 'post', path: task('cancel'), summary: 'Cancel', roles: COMMAND_ROLES.cancel, body: reasonSchema, tags: ['tasks'] },
  { method: 'post', path: task('duplicate'), summary: 'Mark as a duplicate of another task', roles: COMMAND_ROLES.mark_duplicate, body: duplicateSchema, tags: ['tasks'] },
  { method: 'post', path: task('unable-to-fix'), summary: 'Declare unable to fix', roles: COMMAND_ROLES.unable_to_fix, body: reasonSchema, tags: ['tasks'] },
  { method: 'post', path: task('reopen'), summary: 'Reopen a verified task', roles: COMMAND_ROLES.reopen, body: reopenSchema, tags: ['tasks'] },
  {
    method: 'put',
    path: '/v1/tasks/{id}/photos/{sha256}',
    summary:
      'Upload a photo of the fix: the body is the image itself (JPEG, PNG, HEIC or WebP, at most PHOTO_MAX_BYTES), the path its SHA-256, which the server checks; 201 the first time, 200 for the same photo again',
    roles: ['crew'],
    status: 201,
    tags: ['photos'],
  },
  { method: 'get', path: '/v1/tasks/{id}/photos', summary: 'The photos uploaded to a task, with their EXIF position and time', roles: ROLES, tags: ['photos'] },
  { method: 'get', path: '/v1/tasks/{id}/photos/{sha256}', summary: 'A photo\'s bytes (whoever may see the task)', roles: ROLES, tags: ['photos'] },
  { method: 'get', path: '/v1/tasks/{id}/photos/{sha256}/thumbnail', summary: 'A photo\'s JPEG thumbnail (none for HEIC)', roles: ROLES, tags: ['photos'] },
  { method: 'get', path: '/v1/report-photos/{sha256}', summary: 'A photo sent with a villager\'s report (its bytes; the upload is the gateway\'s PUT)', roles: REPORT_PHOTO_ROLES, tags: ['photos'] },
  { method: 'get', path: '/v1/report-photos/{sha256}/thumbnail', summary: 'A report photo\'s JPEG thumbnail (none for HEIC)', roles: REPORT_PHOTO_ROLES, tags: ['photos'] },
  {
    method: 'get',
    path: '/v1/inspections',
    summary: 'The inspector\'s queue: submitted tasks, oldest first, with their latest evidence, photos, checks and the risk when opened',
    roles: INSPECTION_ROLES,
    query: inspectionQuerySchema,
    tags: ['inspections'],
  },
  { method: 'put', path: '/v1/jurisdictions/{id}', summary: 'Create or replace a jurisdiction (township)', roles: ['admin'], body: putJurisdictionSchema, tags: ['jurisdictions'] },
  { method: 'get', path: '/v1/jurisdictions', summary: 'Jurisdictions with their red / yellow / green status', roles: ROLES, tags: ['jurisdictions'] },
  { method: 'get', path: '/v1/jurisdictions/{id}', summary: 'One jurisdiction', roles: ROLES, tags: ['jurisdictions'] },
  {
    method: 'get',
    path: '/v1/jurisdictions/index',
    summary:
      'The daily index of every jurisdiction (0–100, higher is worse; bands green/blue/yellow/orange/red) with its indicators and the red / yellow / green status, as JSON, CSV or GeoJSON outlines',
    roles: ROLES,
    query: indexQueryObject,
    tags: ['jurisdictions'],
  },
  {
    method: 'get',
    path: '/v1/jurisdictions/{id}/index/history',
    summary: 'A jurisdiction\'s daily index, one row per day (past days frozen; days before the first stored one rebuilt from timestamped facts)',
    roles: ROLES,
    query: historyQueryObject,
    tags: ['jurisdictions'],
  },
  { method: 'get', path: '/v1/jurisdictions/{id}/status', summary: 'A jurisdiction\'s status from its overdue and soon-due tasks', roles: ROLES, tags: ['jurisdictions'] },
  {
    method: 'post',
    path: '/v1/programmes',
    summary:
      'Compute a draft programme for a budget and a year: the countermeasures on stretches that prevent the most fatal and serious crashes within the budget (HiGHS MILP), with the greedy and naive plans beside it',
    roles: PROGRAMME_ROLES,
    body: createProgrammeSchema,
    status: 201,
    tags: ['programmes'],
  },
  {
    method: 'get',
    path: '/v1/programmes',
    summary: 'Programmes newest first (`{ items }`): year, budget, status, cost, FSI prevented and item count of each, without the items',
    roles: ROLES,
    query: listProgrammesQuerySchema,
    tags: ['programmes'],
  },
  { method: 'get', path: '/v1/programmes/{id}', summary: 'A programme and its items as JSON, a CSV table or a GeoJSON map layer (one MultiLineString per item)', roles: ROLES, query: programmeQuerySchema, tags: ['programmes'] },
  {
    method: 'post',
    path: '/v1/programmes/{id}/approve',
    summary: 'Approve a draft: each item becomes a works task carrying its stretch, given to its crew through the capacity queue (released best benefit–cost first as slots free)',
    roles: PROGRAMME_ROLES,
    tags: ['programmes'],
  },
  { method: 'put', path: '/v1/crews/{id}', summary: 'Create or replace a road crew', roles: ['admin'], body: putCrewSchema, tags: ['crews'] },
  { method: 'get', path: '/v1/crews', summary: 'Crews with their open workload', roles: ROLES, query: z.object({ jurisdictionId: refIdSchema.optional() }), tags: ['crews'] },
];

export const taskOpenApi = () => openApiDocument('Roadloop task service', '1', TASK_ROUTES);
